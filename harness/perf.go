package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// ExploreRate runs the exhaustive crash sweep (depth 1: every crash point
// of the migration, each image checked against the model and completed by
// a recovery run) of target on store s0 in mode, over and over, for about
// dur, on workers goroutines (at least 1), and returns the number of crash
// states checked, how many of them were distinct images checked afresh
// (the others' verdicts came from the sweep's memo: the same image bytes
// already passed in that sweep; each sweep starts with an empty memo) and
// the wall-clock seconds it took. Violations are
// returned as an error wrapping ErrViolation: a rate of a wrong migration
// is no figure. It allocates per sweep, never per state kept: memory stays
// flat however many states are explored.
func ExploreRate(ctx context.Context, target Target, s0 model.State, mode faults.Mode, workers int, dur time.Duration) (states, images int, secs float64, err error) {
	if workers < 1 {
		workers = 1
	}
	start := time.Now()
	deadline := start.Add(dur)
	var total, fresh atomic.Int64
	g, gctx := errgroup.WithContext(ctx) // the first violation or error stops every worker
	for range workers {
		g.Go(func() error {
			sw := &sweeper{e: newEnv(gctx, target), depth: 1, seed: 1}
			defer func() { total.Add(int64(sw.states)); fresh.Add(int64(sw.states - sw.reused)) }()
			for time.Now().Before(deadline) && gctx.Err() == nil {
				sw.memo.reset() // each sweep checks its images afresh: no verdict carried over
				f, err := sw.store(s0, mode)
				if err != nil {
					return err
				}
				if f != nil {
					return fmt.Errorf("%w: %s: %s", ErrViolation, f.vs[0].ID, f.vs[0].Detail)
				}
			}
			return nil
		})
	}
	err = g.Wait()
	return int(total.Load()), int(fresh.Load()), time.Since(start).Seconds(), err
}

// ErrViolation reports that a benchmark run found an invariant violation.
var ErrViolation = errors.New("invariant violation")

// KillRate starts the child process argv (a tiny long-running program
// that writes a byte to stdout once it runs, then waits), kills it with
// SIGKILL once it reported, and reaps it, cycles times in a row: the
// real-process counterpart of one crash state (and a lower bound of it: a
// real crash state would also open the store, run the migration until the
// kill, and restart a checker). It returns the wall-clock seconds taken.
func KillRate(ctx context.Context, argv []string, cycles int) (secs float64, err error) {
	if len(argv) == 0 {
		return 0, errors.New("harness: KillRate needs a command")
	}
	start := time.Now()
	for range cycles {
		if err := KillCycle(ctx, argv); err != nil {
			return 0, err
		}
	}
	return time.Since(start).Seconds(), nil
}

// KillCycle starts argv, waits until the child has written its first byte
// to stdout (it is running its own code: killing it earlier would only
// measure fork and exec), kills it with SIGKILL and reaps it. A child that
// exits before writing anything is an error.
func KillCycle(ctx context.Context, argv []string) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("start %s: %w", argv[0], err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", argv[0], err)
	}
	var b [1]byte
	_, readErr := io.ReadFull(out, b[:])
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil && readErr == nil {
		return fmt.Errorf("kill %s: %w", argv[0], err)
	}
	err = cmd.Wait()
	if readErr != nil {
		return fmt.Errorf("%s exited before it reported running: %w", argv[0], readErr)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return fmt.Errorf("wait %s: %w", argv[0], err)
	}
	return nil
}
