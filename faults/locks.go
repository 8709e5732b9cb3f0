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
	mu    sync.Mutex               // guards locks
	locks map[string]chan struct{} // name -> semaphore of capacity 1; never deleted
}

// sem returns the semaphore of name.
func (t *lockTable) sem(name string) chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	ch, ok := t.locks[name]
	if !ok {
		if t.locks == nil {
			t.locks = make(map[string]chan struct{})
		}
		ch = make(chan struct{}, 1)
		t.locks[name] = ch
	}
	return ch
}

// Lock takes the disk-wide exclusive lock called name (cleaned as a path),
// shared by every process (FS) on this disk; it matches the fslock.Locker
// interface. It blocks until the lock is free or ctx is done (then it
// returns an error wrapping ctx.Err() and holds nothing). Locks are not
// reentrant. The release function is idempotent: calls after the first
// return nil. A crash image starts with no lock held.
func (m *MemFS) Lock(ctx context.Context, name string) (func() error, error) {
	if !isCleanAbs(name) {
		name = filepath.Clean(name)
	}
	ch := m.locks.sem(name)
	select {
	case ch <- struct{}{}:
	default:
		select {
		case ch <- struct{}{}:
		case <-ctx.Done():
			return nil, fmt.Errorf("lock %q: %w", name, ctx.Err())
		}
	}
	var done atomic.Bool
	return func() error {
		if done.CompareAndSwap(false, true) {
			<-ch
		}
		return nil
	}, nil
}
