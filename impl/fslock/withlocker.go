package fslock

import (
	"context"
	"errors"
	"os"

	"github.com/spf13/afero"
)

// LockingFs is an afero.Fs with a shared in-process Locker: every store
// opened on the same *LockingFs excludes the others. Build it with
// WithLocker.
type LockingFs struct {
	afero.Fs
	locks MemLocker // the shared locks of every user of this Fs
}

var (
	_ afero.Fs         = (*LockingFs)(nil)
	_ Locker           = (*LockingFs)(nil)
	_ afero.Lstater    = (*LockingFs)(nil)
	_ afero.LinkReader = (*LockingFs)(nil)
)

// WithLocker returns fsys with an in-process Locker attached, so that plain
// in-memory filesystems (afero.MemMapFs) get a lock shared by every store
// instance on the returned Fs. The lock is process-local: wrapping an OsFs
// this way replaces flock(2) with a lock other processes do not see.
func WithLocker(fsys afero.Fs) *LockingFs { return &LockingFs{Fs: fsys} }

// Lock implements Locker.
func (l *LockingFs) Lock(ctx context.Context, name string) (func() error, error) {
	return l.locks.Lock(ctx, name)
}

// LstatIfPossible implements afero.Lstater by delegating to the wrapped Fs
// when it can; otherwise it falls back to Stat and reports false.
func (l *LockingFs) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	if ls, ok := l.Fs.(afero.Lstater); ok {
		return ls.LstatIfPossible(name)
	}
	fi, err := l.Stat(name)
	return fi, false, err
}

// ReadlinkIfPossible implements afero.LinkReader by delegating to the
// wrapped Fs; one without links fails with an error wrapping
// errors.ErrUnsupported.
func (l *LockingFs) ReadlinkIfPossible(name string) (string, error) {
	if r, ok := l.Fs.(afero.LinkReader); ok {
		return r.ReadlinkIfPossible(name)
	}
	return "", &os.PathError{Op: "readlink", Path: name, Err: errors.ErrUnsupported}
}
