package atomicfile

import (
	"os"

	"github.com/spf13/afero"
)

// WriteGuarded is Write with a last check: guard runs once the temp file
// is durable, immediately before the rename (between steps 6 and 7 of
// WriteAs). When it returns an error, the temp file is removed, path is
// left untouched, and the error is returned wrapped. A caller that holds a
// lock another program may not honour uses it to confirm, as late as
// possible, that nobody changed path since it was read (impl/config does,
// against ToolHive's lock-file race).
func WriteGuarded(fsys afero.Fs, path string, data []byte, perm os.FileMode, guard func() error) error {
	return writeAs(fsys, path, data, perm, ProcessIdentity(), guard)
}
