package fslock

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrTimeout reports that a lock was not granted within Wait.Timeout.
var ErrTimeout = errors.New("timed out waiting for a lock held by another process")

// DefaultNotifyAfter is how long Acquire and AcquireFile wait for a lock
// before calling Wait.Notify when Wait.NotifyAfter is zero.
const DefaultNotifyAfter = time.Second

// Wait tells Acquire and AcquireFile how to behave while a lock is held by
// someone else. Attach it to the context with WithWait; the zero Wait (and
// a context without one) waits silently until the context is done.
type Wait struct {
	// Notify, when set, is called once per acquisition that has not been
	// granted after NotifyAfter, with the lock's description ("lock file
	// <path>" or "lock on directory <dir>"). A wait that ends in ErrTimeout
	// with Timeout >= NotifyAfter is always announced first. It never runs
	// after the acquisition returned.
	Notify func(lock string)
	// NotifyAfter is the delay before Notify; zero means
	// DefaultNotifyAfter.
	NotifyAfter time.Duration
	// Timeout bounds each acquisition: when positive, a lock not granted
	// within it fails with an error wrapping ErrTimeout (and holds
	// nothing). Zero waits until the context is done.
	Timeout time.Duration
}

type waitKey struct{}

// WithWait returns ctx carrying w for the locks taken under it.
func WithWait(ctx context.Context, w Wait) context.Context {
	return context.WithValue(ctx, waitKey{}, w)
}

// withWait runs acquire (a blocking lock attempt named lock) under the
// Wait of ctx, if any.
func withWait(ctx context.Context, lock string, acquire func(context.Context) (func() error, error)) (func() error, error) {
	w, ok := ctx.Value(waitKey{}).(Wait)
	if !ok || (w.Notify == nil && w.Timeout <= 0) {
		return acquire(ctx)
	}
	if w.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, w.Timeout, ErrTimeout)
		defer cancel()
	}
	after := w.NotifyAfter
	if after <= 0 {
		after = DefaultNotifyAfter
	}
	var (
		mu       sync.Mutex // guards returned and notified; held while Notify runs
		returned bool
		notified bool
	)
	notify := func() { // the caller holds mu
		if w.Notify != nil && !returned && !notified {
			notified = true
			w.Notify(lock)
		}
	}
	t := time.AfterFunc(after, func() {
		mu.Lock()
		defer mu.Unlock()
		notify()
	})
	release, err := acquire(ctx)
	t.Stop()
	timedOut := err != nil && errors.Is(context.Cause(ctx), ErrTimeout)
	mu.Lock()
	if timedOut && w.Timeout >= after {
		notify() // the wait outlasted NotifyAfter: announced even if the timer lost the race
	}
	returned = true
	mu.Unlock()
	if timedOut {
		return nil, fmt.Errorf("%w: %s not granted within %s", ErrTimeout, lock, w.Timeout)
	}
	return release, err
}
