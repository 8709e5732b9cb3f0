//go:build unix

package fslock

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Backoff bounds of the flock poll.
const (
	minPoll = 500 * time.Microsecond
	maxPoll = 20 * time.Millisecond
)

// flockDir locks the real directory dir with flock(2) on an O_RDONLY
// descriptor of the directory itself. The open creates nothing.
func flockDir(ctx context.Context, dir string) (func() error, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("lock %q: %w", dir, err)
	}
	fd, err := openDir(dir)
	if err != nil {
		return nil, fmt.Errorf("lock %q: %w", dir, err)
	}
	if err := pollFlock(ctx, fd); err != nil {
		_ = unix.Close(fd)
		return nil, fmt.Errorf("lock %q: %w", dir, err)
	}
	return unlockOnce(fd, "unlock "+strconv.Quote(dir)), nil
}

// unlockOnce returns the idempotent release of a flock held on fd: LOCK_UN
// first, so the release does not depend on copies of the descriptor leaked
// into children by fork, then close. what prefixes its error.
func unlockOnce(fd int, what string) func() error {
	var (
		once   sync.Once
		closed error
	)
	return func() error {
		once.Do(func() {
			if closed = errors.Join(unix.Flock(fd, unix.LOCK_UN), unix.Close(fd)); closed != nil {
				closed = fmt.Errorf("%s: %w", what, closed)
			}
		})
		return closed
	}
}

func openDir(dir string) (int, error) {
	for {
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return -1, fmt.Errorf("open directory: %w", err)
		}
		return fd, nil
	}
}

// pollFlock tries LOCK_EX|LOCK_NB until it succeeds or ctx is done.
func pollFlock(ctx context.Context, fd int) error {
	wait := minPoll
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case !errors.Is(err, unix.EWOULDBLOCK):
			return fmt.Errorf("flock: %w", err)
		}
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		wait = min(2*wait, maxPoll)
	}
}
