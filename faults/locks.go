package faults

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// lockTable holds a disk's named exclusive locks. The zero value is empty.
type lockTable struct {
	mu    sync.Mutex  // guards locks
	locks []namedLock // never deleted; a disk has a handful of lock names
}

// namedLock is the semaphore of one lock name.
type namedLock struct {
	name string
	sem  chan struct{} // capacity 1: full = held
}

// sem returns the semaphore of name.
func (t *lockTable) sem(name string) chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range t.locks {
		if l.name == name {
			return l.sem
		}
	}
	ch := make(chan struct{}, 1)
	t.locks = append(t.locks, namedLock{name: name, sem: ch})
	return ch
}

// Lock takes the disk-wide exclusive lock called name (cleaned as a path),
// shared by every process (FS) on this disk; it matches the fslock.Locker
// interface. It blocks until the lock is free or ctx is done (then it
// returns an error wrapping ctx.Err() and holds nothing). Locks are not
// reentrant. The release function is idempotent: calls after the first
// return nil. A crash image starts with no lock held.
func (m *MemFS) Lock(ctx context.Context, name string) (func() error, error) {
	ch, err := m.acquire(ctx, name)
	if err != nil {
		return nil, err
	}
	var done atomic.Bool
	return func() error {
		if done.CompareAndSwap(false, true) {
			<-ch
		}
		return nil
	}, nil
}

// acquire takes the lock called name and returns its semaphore, which the
// holder must receive from exactly once to release it.
func (m *MemFS) acquire(ctx context.Context, name string) (chan struct{}, error) {
	if !isCleanAbs(name) {
		name = filepath.Clean(name)
	}
	ch := m.locks.sem(name)
	select {
	case ch <- struct{}{}:
		return ch, nil
	default:
	}
	select {
	case ch <- struct{}{}:
		return ch, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("lock %q: %w", name, ctx.Err())
	}
}
