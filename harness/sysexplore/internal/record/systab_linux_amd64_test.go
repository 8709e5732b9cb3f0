//go:build linux && amd64

package record

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The amd64 table's numbers are the kernel's (x/sys/unix's SYS_ constants).
func TestAMD64Numbers(t *testing.T) {
	want := map[string]uint64{
		"open": unix.SYS_OPEN, "openat": unix.SYS_OPENAT, "creat": unix.SYS_CREAT, "openat2": unix.SYS_OPENAT2,
		"write": unix.SYS_WRITE, "pwrite64": unix.SYS_PWRITE64, "writev": unix.SYS_WRITEV, "pwritev": unix.SYS_PWRITEV, "pwritev2": unix.SYS_PWRITEV2,
		"truncate": unix.SYS_TRUNCATE, "ftruncate": unix.SYS_FTRUNCATE, "fsync": unix.SYS_FSYNC, "fdatasync": unix.SYS_FDATASYNC,
		"sync": unix.SYS_SYNC, "syncfs": unix.SYS_SYNCFS, "rename": unix.SYS_RENAME, "renameat": unix.SYS_RENAMEAT, "renameat2": unix.SYS_RENAMEAT2,
		"unlink": unix.SYS_UNLINK, "unlinkat": unix.SYS_UNLINKAT, "rmdir": unix.SYS_RMDIR, "mkdir": unix.SYS_MKDIR, "mkdirat": unix.SYS_MKDIRAT,
		"link": unix.SYS_LINK, "linkat": unix.SYS_LINKAT, "symlink": unix.SYS_SYMLINK, "symlinkat": unix.SYS_SYMLINKAT,
		"chmod": unix.SYS_CHMOD, "fchmodat": unix.SYS_FCHMODAT, "fchmodat2": unix.SYS_FCHMODAT2, "fchmod": unix.SYS_FCHMOD,
		"chown": unix.SYS_CHOWN, "lchown": unix.SYS_LCHOWN, "fchownat": unix.SYS_FCHOWNAT, "fchown": unix.SYS_FCHOWN,
		"close": unix.SYS_CLOSE, "close_range": unix.SYS_CLOSE_RANGE, "dup": unix.SYS_DUP, "dup2": unix.SYS_DUP2, "dup3": unix.SYS_DUP3,
		"fcntl": unix.SYS_FCNTL, "chdir": unix.SYS_CHDIR, "fchdir": unix.SYS_FCHDIR,
	}
	tab := byName(t, amd64Table())
	require.Len(t, tab, len(want))
	for n, nr := range want {
		require.Equal(t, nr, tab[n].Nr, n)
	}
	require.EqualValues(t, unix.SYS_CLONE3, amd64Clone3)
}
