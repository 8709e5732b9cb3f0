package perf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"
)

// errNoCommand reports a KillRate without a command.
var errNoCommand = errors.New("perf: KillRate needs a command")

// KillRate starts the child process argv (a tiny long-running program
// that writes a byte to stdout once it runs, then waits), kills it with
// SIGKILL once it reported, and reaps it, cycles times in a row: the
// real-process counterpart of one crash state (and a lower bound of it: a
// real crash state would also open the store, run the migration until the
// kill, and restart a checker). It returns the wall-clock seconds taken.
func KillRate(ctx context.Context, argv []string, cycles int) (secs float64, err error) {
	if len(argv) == 0 {
		return 0, errNoCommand
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
// measure fork and exec), kills it (SIGKILL where there are signals) and reaps it. A child that
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
	if err := cmd.Process.Kill(); err != nil && readErr == nil {
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
