package fslock

import "context"

// Locker is implemented by filesystems that provide their own
// cross-instance locks (in-memory and simulated filesystems).
//
// Lock blocks until the exclusive lock called name is held or ctx is done;
// in the latter case it returns an error wrapping ctx.Err() and holds
// nothing. The returned release function gives the lock back; it must be
// safe to call more than once (calls after the first are no-ops returning
// nil). Locks are not reentrant: locking a name that the caller already
// holds blocks until ctx is done.
type Locker interface {
	Lock(ctx context.Context, name string) (release func() error, err error)
}
