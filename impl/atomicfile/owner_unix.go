//go:build unix

package atomicfile

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// ownerOf returns the owner recorded in fi (Known false when fi does not
// come from the OS).
func ownerOf(fi os.FileInfo) Owner {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return Owner{UID: int(st.Uid), GID: int(st.Gid), Known: true}
	}
	return Owner{}
}

// links returns fi's hard link count (1 when fi does not come from the OS).
func links(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// sameInode reports whether a and b are the same file; ok is false when
// the filesystem does not report inodes.
func sameInode(a, b os.FileInfo) (same, ok bool) {
	sa, okA := a.Sys().(*syscall.Stat_t)
	sb, okB := b.Sys().(*syscall.Stat_t)
	if !okA || !okB {
		return false, false
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino, true
}

// tempFlags open a temp file: created exclusively, never through a link.
// O_EXCL alone already refuses a symlink at the name (it never follows
// one); O_NOFOLLOW says so twice.
const tempFlags = os.O_WRONLY | os.O_CREATE | os.O_EXCL | syscall.O_NOFOLLOW

// accessWrite checks with access(2), for the effective ids, that entries
// can be created in the directory path.
func accessWrite(path string) error {
	return unix.Faccessat(unix.AT_FDCWD, path, unix.W_OK|unix.X_OK, unix.AT_EACCESS)
}
