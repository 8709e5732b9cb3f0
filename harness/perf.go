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
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// BenchStore returns a deterministic store with n legacy keys spread over
// the seven legacy prefixes (every tenth with an identical scoped twin,
// every tenth with a conflicting one), n/5 user keys and n/10 other scoped
// keys: the store of the migration benchmarks.
func BenchStore(n int) map[string]string {
	sch := secrets.DefaultScheme()
	m := make(map[string]string, n+n/2)
	for i := range n {
		k := fmt.Sprintf("%sworkload-%05d", legacyPrefixes[i%len(legacyPrefixes)], i)
		v := fmt.Sprintf("value-%05d-0123456789abcdef0123456789abcdef", i)
		m[k] = v
		t, _ := sch.LegacyTarget(k)
		switch i % 10 {
		case 3:
			m[t] = v
		case 7:
			m[t] = v + "-newer"
		}
	}
	for i := range n / 5 {
		m[fmt.Sprintf("user-secret-%05d", i)] = fmt.Sprintf("user-value-%05d", i)
	}
	for i := range n / 10 {
		m[fmt.Sprintf("__thv_auth_token-%05d", i)] = fmt.Sprintf("auth-value-%05d", i)
	}
	return m
}

// ExploreStore is the 10-secret store of the explorer benchmarks: six
// legacy keys (one with an identical scoped twin, one with a conflicting
// one), one other scoped key and two user keys.
func ExploreStore() model.State {
	return model.State{Secrets: map[string]string{
		"BEARER_TOKEN_github":                 "ghp-value-1",
		"OAUTH_CLIENT_SECRET_okta":            "okta-secret",
		"OAUTH_REFRESH_TOKEN_okta":            "okta-refresh",
		"registry-user-docker.io":             "docker-user",
		"REGISTRY_OAUTH_ghcr":                 "ghcr-token",
		"BUILD_AUTH_FILE_npm":                 "npm-auth",
		"__thv_workloads_BEARER_TOKEN_github": "ghp-value-1",
		"__thv_workloads_BUILD_AUTH_FILE_npm": "npm-auth-newer",
		"github-token":                        "user-gh",
		"my key":                              "user-value",
	}}
}

// ExploreRate runs the exhaustive crash sweep (depth 1: every crash point
// of the migration, each image checked against the model and completed by
// a recovery run) of target on store s0 in mode, over and over, for about
// dur, on workers goroutines (at least 1), and returns the number of crash
// states checked and the wall-clock seconds it took. Violations are
// returned as an error wrapping ErrViolation: a rate of a wrong migration
// is no figure. It allocates per sweep, never per state kept: memory stays
// flat however many states are explored.
func ExploreRate(ctx context.Context, target Target, s0 model.State, mode faults.Mode, workers int, dur time.Duration) (states int, secs float64, err error) {
	if workers < 1 {
		workers = 1
	}
	start := time.Now()
	deadline := start.Add(dur)
	var total atomic.Int64
	g, gctx := errgroup.WithContext(ctx) // the first violation or error stops every worker
	for range workers {
		g.Go(func() error {
			sw := &sweeper{e: newEnv(gctx, target), depth: 1, seed: 1}
			defer func() { total.Add(int64(sw.states)) }()
			for time.Now().Before(deadline) && gctx.Err() == nil {
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
	return int(total.Load()), time.Since(start).Seconds(), err
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
