package harness

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/scopemig/scopemig/faults"
)

// ExploreConfig tunes Explore. The zero value explores a generated store of
// 8 keys in every mode to depth 2.
type ExploreConfig struct {
	// Keys is the exact size of the generated store (default 8).
	Keys int
	// Modes are the crash modes to explore (default: all four).
	Modes []faults.Mode
	// Depth is the crash nesting depth (default 2).
	Depth int
	// Seed draws the store and the power-partial subsets (0 means 1).
	Seed uint64
}

// ExploreMode is the figure of one mode.
type ExploreMode struct {
	Mode           string   `json:"mode"`
	States         int      `json:"states"`
	Runs           int      `json:"runs"`
	Seconds        float64  `json:"seconds"`
	StatesPerSec   float64  `json:"states_per_second"`
	Violation      string   `json:"violation,omitempty"`
	Counterexample []string `json:"counterexample,omitempty"`
}

// ExploreReport is the result of Explore.
type ExploreReport struct {
	Target string        `json:"target"`
	Seed   uint64        `json:"seed"`
	Keys   int           `json:"keys"`
	Depth  int           `json:"depth"`
	Store  string        `json:"store"`
	Modes  []ExploreMode `json:"modes"`
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

// Explore enumerates every crash point of the migration of one generated
// store of exactly Keys keys, nested to Depth, in each mode, and counts the
// crash states and runs per mode. Violations are reported per mode, never
// as an error; the error is non-nil only for an unusable target or ctx end.
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
	rep := ExploreReport{Target: t.Name, Seed: cfg.Seed, Keys: cfg.Keys, Depth: cfg.Depth}
	if t.Open == nil {
		return rep, fmt.Errorf("%w: %q has no Open function", ErrBadTarget, t.Name)
	}
	s0 := genStoreN(randChooser{rand.New(rand.NewPCG(cfg.Seed, 0xe8))}, cfg.Keys)
	rep.Store = describeState(s0)
	e := newEnv(context.WithoutCancel(ctx), t)
	for _, mode := range cfg.Modes {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		sw := &sweeper{e: e, depth: cfg.Depth, seed: cfg.Seed}
		start := time.Now()
		f, err := sw.store(s0, mode)
		if err != nil {
			return rep, fmt.Errorf("%w: %v", ErrBadTarget, err)
		}
		m := ExploreMode{Mode: mode.String(), States: sw.states, Runs: sw.runs, Seconds: time.Since(start).Seconds()}
		if m.Seconds > 0 {
			m.StatesPerSec = float64(m.States) / m.Seconds
		}
		if f != nil {
			m.Violation = fmt.Sprintf("%s %s: %s", f.vs[0].ID, f.vs[0].ID.Name(), f.vs[0].Detail)
			m.Counterexample = f.lines()
		}
		rep.Modes = append(rep.Modes, m)
	}
	return rep, nil
}
