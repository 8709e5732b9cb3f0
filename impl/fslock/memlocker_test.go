package fslock_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/fslock"
)

func TestMemLockerMutualExclusion(t *testing.T) {
	var l fslock.MemLocker // zero value is usable
	var (
		wg      sync.WaitGroup
		inside  int // guarded by the lock under test
		maxSeen int
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				release, err := l.Lock(context.Background(), "d")
				if err != nil {
					t.Error(err)
					return
				}
				inside++
				maxSeen = max(maxSeen, inside)
				inside--
				if err := release(); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 1, maxSeen)
	require.Zero(t, inside)
}

func TestMemLockerContextCancel(t *testing.T) {
	var l fslock.MemLocker
	release, err := l.Lock(context.Background(), "d")
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = l.Lock(ctx, "d")
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// Another name is independent.
	other, err := l.Lock(context.Background(), "e")
	require.NoError(t, err)
	require.NoError(t, other())

	// A cancelled context fails even on a free lock.
	done, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	_, err = l.Lock(done, "free")
	require.ErrorIs(t, err, context.Canceled)

	require.NoError(t, release())
	again, err := l.Lock(context.Background(), "d")
	require.NoError(t, err)
	require.NoError(t, again())
}

func TestMemLockerReleaseIdempotent(t *testing.T) {
	var l fslock.MemLocker
	first, err := l.Lock(context.Background(), "d")
	require.NoError(t, err)
	require.NoError(t, first())
	second, err := l.Lock(context.Background(), "d")
	require.NoError(t, err)
	// A second call of the first release must not free the second holder.
	require.NoError(t, first())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = l.Lock(ctx, "d")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NoError(t, second())
	require.NoError(t, second())
}
