//go:build unix

package fslock

import (
	"context"
	"errors"
	"fmt"
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

func openLockFile(path string) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, lockFilePerm)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return -1, fmt.Errorf("open: %w", err)
		}
		return fd, nil
	}
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
