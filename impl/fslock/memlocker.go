package fslock

import (
	"context"
	"fmt"
	"sync"
)

// MemLocker is an in-process Locker: one exclusive, context-aware lock per
// name. The zero value is ready to use. It must not be copied after first
// use.
type MemLocker struct {
	mu    sync.Mutex               // guards locks
	locks map[string]chan struct{} // name → 1-slot semaphore; full = held
}

var _ Locker = (*MemLocker)(nil)

// sem returns the semaphore of name, creating it on first use.
func (m *MemLocker) sem(name string) chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.locks == nil {
		m.locks = map[string]chan struct{}{}
	}
	ch, ok := m.locks[name]
	if !ok {
		ch = make(chan struct{}, 1)
		m.locks[name] = ch
	}
	return ch
}

// Lock implements Locker. A ctx that is already done fails even when the
// lock is free, so cancellation is deterministic.
func (m *MemLocker) Lock(ctx context.Context, name string) (func() error, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("lock %q: %w", name, err)
	}
	ch := m.sem(name)
	select {
	case ch <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("lock %q: %w", name, ctx.Err())
	}
	var once sync.Once
	return func() error {
		once.Do(func() { <-ch })
		return nil
	}, nil
}
