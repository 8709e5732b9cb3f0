package fslock_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/fslock"
)

// A lock held by someone else: the wait is announced once, then given up
// after the timeout with ErrTimeout.
func ExampleWithWait() {
	fsys := fslock.WithLocker(afero.NewMemMapFs()) // one lock shared by every user of fsys
	holder, _ := fslock.Acquire(context.Background(), fsys, "/store")
	defer func() { _ = holder() }()

	ctx := fslock.WithWait(context.Background(), fslock.Wait{
		Notify:      func(lock string) { fmt.Printf("waiting for the %s (held by another process)\n", lock) },
		NotifyAfter: 10 * time.Millisecond,
		Timeout:     50 * time.Millisecond,
	})
	_, err := fslock.Acquire(ctx, fsys, "/store")
	fmt.Println(errors.Is(err, fslock.ErrTimeout))
	fmt.Println(err)
	// Output:
	// waiting for the lock on directory /store (held by another process)
	// true
	// timed out waiting for a lock held by another process: lock on directory /store not granted within 50ms
}
