//go:build linux

package config

import (
	"errors"
	"os"

	"github.com/spf13/afero"
	"golang.org/x/sys/unix"
)

// openForWriting reports whether any process has the real file f open for
// writing: ToolHive writes its config in place (open with O_TRUNC, write,
// close), so a reader can see the file truncated and not yet rewritten.
// The probe is a read lease (fcntl F_SETLEASE F_RDLCK), which the kernel
// refuses with EAGAIN exactly while the file is open for writing; when
// granted it is given back at once. Where leases are not available (a file
// of another owner, a filesystem without them, an Fs that is not the OS's)
// it reports false: the other checks still apply.
func openForWriting(f afero.File) bool {
	if bp, ok := f.(*afero.BasePathFile); ok {
		f = bp.File
	}
	osf, ok := f.(*os.File)
	if !ok {
		return false
	}
	rc, err := osf.SyscallConn()
	if err != nil {
		return false
	}
	busy := false
	_ = rc.Control(func(fd uintptr) {
		if _, err := unix.FcntlInt(fd, unix.F_SETLEASE, unix.F_RDLCK); err != nil {
			busy = errors.Is(err, unix.EAGAIN)
			return
		}
		_, _ = unix.FcntlInt(fd, unix.F_SETLEASE, unix.F_UNLCK)
	})
	return busy
}
