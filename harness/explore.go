package harness

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/internal/report"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// ExploreConfig tunes Explore. The zero value explores a generated store of
// 8 keys in every mode to depth 2, once.
type ExploreConfig struct {
	// Keys is the exact size of the generated store (default 8).
	Keys int
	// Store, when set, is explored instead of a generated store (Keys is
	// then unused).
	Store *model.State
	// Modes are the crash modes to explore (default: all four).
	Modes []faults.Mode
	// Depth is the crash nesting depth (default 2).
	Depth int
	// Seed draws the store and the power-partial subsets (0 means 1).
	Seed uint64
	// Duration, when positive, makes Explore a rate measurement: each mode
	// is explored over and over for about Duration, on Workers goroutines,
	// every exploration checking its images afresh (no verdict carried
	// over). Memory stays flat however many states are explored. Zero
	// explores each mode once.
	Duration time.Duration
	// Workers is the number of goroutines exploring one mode when Duration
	// is set (default GOMAXPROCS).
	Workers int
}

// ModeReport is the figure of one crash mode of an exploration: crash
// states, distinct images, runs, time, and (Explore) the mode's first
// violation. sysexplore.Explore reports its modes with the same type.
type ModeReport = report.ModeReport

// ExploreReport is the result of Explore.
type ExploreReport struct {
	Target string       `json:"target"`
	Seed   uint64       `json:"seed"`
	Keys   int          `json:"keys"`
	Depth  int          `json:"depth"`
	Store  string       `json:"store"`
	Modes  []ModeReport `json:"modes"`
}

// OK reports whether no mode found a violation.
func (r ExploreReport) OK() bool {
	for _, m := range r.Modes {
		if m.Violation != "" {
			return false
		}
	}
	return true
}

// Explore enumerates every crash point of the migration of one store (a
// generated one of exactly Keys keys, or Store), nested to Depth, in each
// mode, and counts the crash states, distinct images and runs per mode.
// Violations are reported per mode (a mode stops at its first), never as
// an error; the error is non-nil only for an unusable target or ctx end.
func Explore(ctx context.Context, t Target, cfg ExploreConfig) (ExploreReport, error) {
	if cfg.Keys <= 0 {
		cfg.Keys = 8
	}
	if cfg.Depth <= 0 {
		cfg.Depth = 2
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if len(cfg.Modes) == 0 {
		cfg.Modes = faults.Modes()
	}
	if cfg.Workers <= 0 {
		cfg.Workers = defaultWorkers()
	}
	var s0 model.State
	if cfg.Store != nil {
		s0 = cfg.Store.Clone()
		cfg.Keys = len(s0.Secrets)
	} else {
		s0 = fixture.GenStoreN(fixture.RandChooser{R: rand.New(rand.NewPCG(cfg.Seed, 0xe8))}, cfg.Keys)
	}
	rep := ExploreReport{Target: t.Name, Seed: cfg.Seed, Keys: cfg.Keys, Depth: cfg.Depth}
	if err := t.validate(); err != nil {
		return rep, err
	}
	rep.Store = describeState(s0)
	e := newEnv(context.WithoutCancel(ctx), t)
	for _, mode := range cfg.Modes {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		var (
			m   ModeReport
			f   *failure
			err error
		)
		if cfg.Duration > 0 {
			m, f, err = exploreFor(ctx, t, s0, mode, cfg)
		} else {
			m, f, err = exploreOnce(e, s0, mode, cfg)
		}
		if err != nil {
			return rep, err
		}
		m.Rate()
		if f != nil {
			m.Violation = fmt.Sprintf("%s %s: %s", f.vs[0].ID, f.vs[0].ID.Name(), f.vs[0].Detail)
			m.Counterexample = f.lines()
		}
		rep.Modes = append(rep.Modes, m)
	}
	return rep, nil
}

// exploreOnce sweeps s0 in mode once.
func exploreOnce(e *env, s0 model.State, mode faults.Mode, cfg ExploreConfig) (ModeReport, *failure, error) {
	sw := &sweeper{e: e, depth: cfg.Depth, seed: cfg.Seed}
	start := time.Now()
	f, err := sw.store(s0, mode)
	if err != nil {
		return ModeReport{}, nil, fmt.Errorf("%w: %v", ErrBadTarget, err)
	}
	return ModeReport{Mode: mode, States: sw.states, Images: sw.states - sw.reused, Runs: sw.runs, Seconds: time.Since(start).Seconds()}, f, nil
}

// errFound stops the other workers of exploreFor at the first violation.
var errFound = errors.New("violation found")

// exploreFor sweeps s0 in mode over and over for about cfg.Duration on
// cfg.Workers goroutines (each with its own simulated process state and a
// memo emptied before every sweep), counting every worker's states; the
// first violation stops every worker and is returned.
func exploreFor(ctx context.Context, t Target, s0 model.State, mode faults.Mode, cfg ExploreConfig) (ModeReport, *failure, error) {
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var (
		states, fresh, runs atomic.Int64
		mu                  sync.Mutex // guards first
		first               *failure
	)
	g, gctx := errgroup.WithContext(ctx)
	for range cfg.Workers {
		g.Go(func() error {
			sw := &sweeper{e: newEnv(gctx, t), depth: cfg.Depth, seed: cfg.Seed}
			defer func() {
				states.Add(int64(sw.states))
				fresh.Add(int64(sw.states - sw.reused))
				runs.Add(int64(sw.runs))
			}()
			for time.Now().Before(deadline) && gctx.Err() == nil {
				sw.memo.reset() // each sweep checks its images afresh
				f, err := sw.store(s0, mode)
				if err != nil {
					return fmt.Errorf("%w: %v", ErrBadTarget, err)
				}
				if f != nil {
					mu.Lock()
					if first == nil {
						first = f
					}
					mu.Unlock()
					return errFound
				}
			}
			return nil
		})
	}
	err := g.Wait()
	m := ModeReport{Mode: mode, States: int(states.Load()), Images: int(fresh.Load()), Runs: int(runs.Load()), Seconds: time.Since(start).Seconds()}
	if errors.Is(err, errFound) {
		return m, first, nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return m, nil, cerr
	}
	return m, nil, err
}
