package atomicfile

import (
	"fmt"

	"github.com/spf13/afero"
)

// LeftoverKind describes, for a message and reading only, what is at the
// temp name tmp when CheckLeftover refuses it: "a directory", "a FIFO",
// "a symlink", "a socket", "a device", "a file with 2 hard links", or
// "unreadable (<error>)". It returns "" when CheckLeftover accepts it
// (nothing there, or what a crashed Write leaves).
func LeftoverKind(fsys afero.Fs, tmp string) string {
	if CheckLeftover(fsys, tmp) == nil {
		return ""
	}
	fi, err := lstat(fsys, tmp)
	switch {
	case err != nil:
		return fmt.Sprintf("unreadable (%v)", err)
	case !fi.Mode().IsRegular():
		return "a " + TypeName(fi.Mode())
	default:
		return fmt.Sprintf("a file with %d hard links", links(fi))
	}
}
