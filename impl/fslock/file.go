package fslock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/internal/cleanpath"
)

// ErrNotRegular reports a lock file name that holds something other than a
// regular file (a symlink, a FIFO, a directory, a device): it is not
// opened, followed or changed.
var ErrNotRegular = errors.New("lock file is not a regular file")

// AcquireFile takes an exclusive flock(2) on the lock file path (ToolHive's
// sidecar "<store>.lock" convention, as gofrs/flock takes it) and returns
// the function that releases it (idempotent: later calls return nil). It
// blocks, polling LOCK_EX|LOCK_NB with a short backoff, until the lock is
// held or ctx is done; then it returns an error wrapping ctx.Err().
//
//   - fsys is *afero.OsFs, or an *afero.BasePathFs whose files are real
//     *os.File: path is opened with O_CREATE|O_RDWR|O_NOFOLLOW|O_NONBLOCK,
//     mode 0600 (the only write: an empty file, created when missing; its
//     directory must exist, else the error wraps fs.ErrNotExist). An
//     existing path that is not a regular file — a symlink (never
//     followed), a FIFO, a directory, a device — fails with
//     ErrNotRegular before it is opened. A lock file created by root gets
//     the owner of its directory (sudo on a user's store leaves the user a
//     lock file they can open); run as root, an existing lock file owned by
//     root in a directory that is not root's gets the directory's owner
//     too (a crash between create and chown, or an older sudo run, left
//     it). After the flock is granted,
//     the descriptor must still be the file named path (same device and
//     inode); if another tool removed or replaced the file meanwhile, the
//     lock is dropped and taken again on a freshly opened file.
//   - fsys implements Locker (a simulated disk, a *LockingFs): its
//     Lock(ctx, path), and no file. So simulated processes that lock the
//     same lock file (scopemig's writers and a simulated ToolHive) exclude
//     each other exactly as flock does on a real disk; the name is the
//     lock file's path, distinct from every directory lock of Acquire.
//   - anything else (a plain MemMapFs): a no-op release, a nil error and
//     no file. Such a filesystem is private to the process, so no other
//     program can share the lock; in-process exclusion is Acquire's job.
//
// Release unlocks and closes the descriptor; it never removes the file (see
// the package doc: removing a lock file breaks exclusion for a third
// process). The kernel releases the lock if the process dies.
//
// A Wait attached to ctx (WithWait) announces a long wait and bounds it.
//
// Crash contract: the lock file holds no data. A crash at any point leaves
// either no file or an empty one (root's, if root crashed before its chown:
// the next root run gives it to the directory's owner), and no lock held; both are valid starting
// states for every later AcquireFile and for ToolHive.
func AcquireFile(ctx context.Context, fsys afero.Fs, path string) (func() error, error) {
	path = cleanpath.Clean(path)
	return withWait(ctx, "lock file "+path, func(ctx context.Context) (func() error, error) {
		return acquireFile(ctx, fsys, path)
	})
}

func acquireFile(ctx context.Context, fsys afero.Fs, path string) (func() error, error) {
	switch fs := fsys.(type) {
	case Locker:
		return fs.Lock(ctx, path)
	case *afero.OsFs:
		return flockFile(ctx, path)
	case *afero.BasePathFs:
		realPath, err := fs.RealPath(path)
		if err != nil {
			return nil, fmt.Errorf("lock file %q: %w", path, err)
		}
		isOS, err := basePathIsOS(fs, filepath.Dir(path))
		if err != nil {
			return nil, fmt.Errorf("lock file %q: %w", path, err)
		}
		if !isOS {
			return noop, nil
		}
		return flockFile(ctx, realPath)
	default:
		return noop, nil
	}
}

// basePathIsOS reports whether the BasePathFs fs is backed by real files, by
// opening the existing directory dir (which creates nothing).
func basePathIsOS(fs *afero.BasePathFs, dir string) (bool, error) {
	f, err := fs.Open(dir)
	if err != nil {
		return false, err
	}
	_, isOS := unwrapFile(f).(*os.File)
	if err := f.Close(); err != nil {
		return false, err
	}
	return isOS, nil
}
