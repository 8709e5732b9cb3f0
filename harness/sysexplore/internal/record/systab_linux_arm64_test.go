//go:build linux && arm64

package record

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The arm64 table's numbers are the kernel's (x/sys/unix's SYS_ constants).
func TestARM64Numbers(t *testing.T) {
	want := map[string]uint64{
		"openat": unix.SYS_OPENAT, "openat2": unix.SYS_OPENAT2,
		"write": unix.SYS_WRITE, "pwrite64": unix.SYS_PWRITE64, "writev": unix.SYS_WRITEV, "pwritev": unix.SYS_PWRITEV, "pwritev2": unix.SYS_PWRITEV2,
		"truncate": unix.SYS_TRUNCATE, "ftruncate": unix.SYS_FTRUNCATE, "fsync": unix.SYS_FSYNC, "fdatasync": unix.SYS_FDATASYNC,
		"sync": unix.SYS_SYNC, "syncfs": unix.SYS_SYNCFS, "renameat": unix.SYS_RENAMEAT, "renameat2": unix.SYS_RENAMEAT2,
		"unlinkat": unix.SYS_UNLINKAT, "mkdirat": unix.SYS_MKDIRAT, "linkat": unix.SYS_LINKAT, "symlinkat": unix.SYS_SYMLINKAT,
		"fchmodat": unix.SYS_FCHMODAT, "fchmodat2": unix.SYS_FCHMODAT2, "fchmod": unix.SYS_FCHMOD,
		"fchownat": unix.SYS_FCHOWNAT, "fchown": unix.SYS_FCHOWN,
		"close": unix.SYS_CLOSE, "close_range": unix.SYS_CLOSE_RANGE, "dup": unix.SYS_DUP, "dup3": unix.SYS_DUP3,
		"fcntl": unix.SYS_FCNTL, "chdir": unix.SYS_CHDIR, "fchdir": unix.SYS_FCHDIR,
	}
	tab := byName(t, arm64Table())
	require.Len(t, tab, len(want))
	for n, nr := range want {
		require.Equal(t, nr, tab[n].Nr, n)
	}
	require.EqualValues(t, unix.SYS_CLONE3, arm64Clone3)
}
