package fslock

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/internal/cleanpath"
)

// ErrUnsupported reports that the platform cannot lock a real directory
// (flock(2) is unavailable). It wraps errors.ErrUnsupported.
var ErrUnsupported = fmt.Errorf("fslock: directory locks: %w", errors.ErrUnsupported)

// Acquire takes the exclusive lock guarding the stores of dir on fsys and
// returns the function that releases it (idempotent: later calls return
// nil). It blocks until the lock is held or ctx is done.
//
//   - fsys implements Locker: its Lock(ctx, filepath.Clean(dir)).
//   - fsys is *afero.OsFs, or an *afero.BasePathFs whose files are real
//     *os.File: flock(LOCK_EX|LOCK_NB) on an O_RDONLY descriptor of dir,
//     polled with a short backoff until ctx is done. Nothing is created; a
//     missing dir fails with an error wrapping fs.ErrNotExist. The lock is
//     released by closing the descriptor, and by the kernel if the process
//     dies.
//   - anything else: a no-op release and a nil error. Such a filesystem
//     (afero.MemMapFs) is private to the process; wrap it with WithLocker
//     to share a lock between the store instances that use it.
//
// Acquire writes nothing on any filesystem. A Wait attached to ctx
// (WithWait) announces a long wait and bounds it.
func Acquire(ctx context.Context, fsys afero.Fs, dir string) (func() error, error) {
	dir = cleanpath.Clean(dir)
	return withWait(ctx, "lock on directory "+dir, func(ctx context.Context) (func() error, error) {
		return acquireDir(ctx, fsys, dir)
	})
}

func acquireDir(ctx context.Context, fsys afero.Fs, dir string) (func() error, error) {
	switch fs := fsys.(type) {
	case Locker:
		return fs.Lock(ctx, dir)
	case *afero.OsFs:
		return flockDir(ctx, dir)
	case *afero.BasePathFs:
		realPath, err := fs.RealPath(dir)
		if err != nil {
			return nil, fmt.Errorf("lock %q: %w", dir, err)
		}
		f, err := fs.Open(dir)
		if err != nil {
			return nil, fmt.Errorf("lock %q: %w", dir, err)
		}
		_, isOS := unwrapFile(f).(*os.File)
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("lock %q: %w", dir, err)
		}
		if !isOS {
			return noop, nil
		}
		return flockDir(ctx, realPath)
	default:
		return noop, nil
	}
}

func noop() error { return nil }

// unwrapFile returns the file under afero's BasePathFile wrapper.
func unwrapFile(f afero.File) afero.File {
	if bp, ok := f.(*afero.BasePathFile); ok {
		return bp.File
	}
	return f
}
