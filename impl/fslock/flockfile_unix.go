//go:build unix

package fslock

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// lockFilePerm is the mode of a lock file AcquireFile creates (as
// gofrs/flock creates ToolHive's).
const lockFilePerm = 0o600

// flockFile locks the real file path, creating it (empty, 0600) if missing,
// and retries on a fresh descriptor while the file it locked is no longer
// the one named path (another tool removed or replaced it).
func flockFile(ctx context.Context, path string) (func() error, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("lock file %q: %w", path, err)
		}
		fd, err := openLockFile(path)
		if err != nil {
			return nil, fmt.Errorf("lock file %q: %w", path, err)
		}
		if err := pollFlock(ctx, fd); err != nil {
			_ = unix.Close(fd)
			return nil, fmt.Errorf("lock file %q: %w", path, err)
		}
		same, err := sameFile(fd, path)
		if err != nil {
			_ = unix.Close(fd)
			return nil, fmt.Errorf("lock file %q: %w", path, err)
		}
		if !same {
			_ = unix.Close(fd) // the lock was on an unlinked inode: retry
			continue
		}
		return fileRelease(fd, path), nil
	}
}

func fileRelease(fd int, path string) func() error {
	// The lock file is deliberately left in place (see the package doc).
	return unlockOnce(fd, "unlock file "+strconv.Quote(path))
}

// lockOpenFlags open a lock file: never through a symlink (O_NOFOLLOW), and
// without blocking on a FIFO planted at the name (O_NONBLOCK; it has no
// effect on a regular file).
const lockOpenFlags = unix.O_RDWR | unix.O_CLOEXEC | unix.O_NOFOLLOW | unix.O_NONBLOCK

// openLockFile opens path, creating it (0600) when missing. Only a regular
// file is accepted: anything else at the name is refused before it is
// opened (Lstat), and checked again on the descriptor (Fstat). A file it
// creates as root is given the owner of its directory.
func openLockFile(path string) (int, error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err == nil && st.Mode&unix.S_IFMT != unix.S_IFREG {
		return -1, fmt.Errorf("%w (%s)", ErrNotRegular, fileType(uint32(st.Mode)))
	}
	for {
		created := true
		fd, err := unix.Open(path, lockOpenFlags|unix.O_CREAT|unix.O_EXCL, lockFilePerm)
		if errors.Is(err, unix.EEXIST) {
			created = false
			fd, err = unix.Open(path, lockOpenFlags, 0)
			if errors.Is(err, unix.ENOENT) {
				continue // removed meanwhile (ToolHive removes its lock file): create it
			}
		}
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if errors.Is(err, unix.ELOOP) {
			return -1, fmt.Errorf("%w (a symlink)", ErrNotRegular)
		}
		if err != nil {
			return -1, fmt.Errorf("open: %w", err)
		}
		if err := checkLockFile(fd, path, created); err != nil {
			_ = unix.Close(fd)
			return -1, err
		}
		return fd, nil
	}
}

// checkLockFile verifies that fd is a regular file and, run as root, gives
// it the owner of its directory when this process created it, or when it
// is root's in a directory that is not (left by a crash between create and
// chown, or by an older sudo run): the user must be able to open it.
func checkLockFile(fd int, path string, created bool) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("fstat: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("%w (%s)", ErrNotRegular, fileType(uint32(st.Mode)))
	}
	if unix.Geteuid() != 0 || (!created && st.Uid != 0) {
		return nil
	}
	var dir unix.Stat_t
	if err := unix.Stat(filepath.Dir(path), &dir); err != nil {
		return fmt.Errorf("stat directory: %w", err)
	}
	if (dir.Uid == st.Uid && dir.Gid == st.Gid) || (!created && dir.Uid == 0) {
		return nil
	}
	if err := unix.Fchown(fd, int(dir.Uid), int(dir.Gid)); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	return nil
}

// sameFile reports whether path still names the file open as fd. A missing
// path is not an error: the file was removed (ToolHive removes its lock
// file on release).
func sameFile(fd int, path string) (bool, error) {
	var held, named unix.Stat_t
	if err := unix.Fstat(fd, &held); err != nil {
		return false, fmt.Errorf("fstat: %w", err)
	}
	err := unix.Stat(path, &named)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("stat: %w", err)
	}
	return held.Dev == named.Dev && held.Ino == named.Ino, nil
}

// preflightLockFile checks an existing lock file: a regular file this
// process may open read-write. A missing one is fine.
func preflightLockFile(path string) error {
	var st unix.Stat_t
	err := unix.Lstat(path, &st)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stat: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("%w (%s)", ErrNotRegular, fileType(uint32(st.Mode)))
	}
	if err := unix.Faccessat(unix.AT_FDCWD, path, unix.R_OK|unix.W_OK, unix.AT_EACCESS); err != nil {
		return fmt.Errorf("not writable: %w", err)
	}
	return nil
}

// fileType names the file type in mode for an error message.
func fileType(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFLNK:
		return "a symlink"
	case unix.S_IFIFO:
		return "a FIFO"
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFCHR, unix.S_IFBLK:
		return "a device"
	default:
		return fmt.Sprintf("file type %#o", mode&unix.S_IFMT)
	}
}
