package harness

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"syscall"
	"time"

	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// ErrBadTarget reports a Target that cannot be verified (no Open, or a
// panic in the target's code outside any invariant check).
var ErrBadTarget = errors.New("bad target")

// Verify checks target t against the model and returns what it found. It
// returns an error only when the target itself is unusable (wrapping
// ErrBadTarget) or ctx ends; a broken provider or migration is reported
// as Violations, never as a panic.
func Verify(ctx context.Context, t Target, cfg Config) (rep Report, err error) {
	if t.Defaults != nil {
		cfg = t.Defaults(cfg)
	}
	cfg = cfg.withDefaults()
	if cfg.Seed == 0 {
		cfg.Seed = rand.Uint64()>>1 | 1
	}
	rep = Report{Target: t.Name, Seed: cfg.Seed, Phases: []Phase{}, Violations: []Violation{}} // JSON: [] rather than null
	if t.Open == nil {
		return rep, fmt.Errorf("%w: %q has no Open function", ErrBadTarget, t.Name)
	}
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %q panicked: %v", ErrBadTarget, t.Name, p)
		}
		rep.Seconds = time.Since(start).Seconds()
	}()
	v := &verifier{cfg: cfg, rep: &rep, sw: &sweeper{e: newEnv(ctx, t), depth: cfg.Depth, seed: cfg.Seed, modes: cfg.Modes, memo: memo{off: cfg.NoCache}}}
	for _, ph := range v.phases() {
		if cfg.skips(ph.name) || (cfg.StopAtFirst && len(rep.Violations) > 0) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		v.run(ph.name, ph.fn)
	}
	return rep, nil
}

type verifier struct {
	cfg Config
	rep *Report
	sw  *sweeper
}

type phase struct {
	name string
	fn   func() (cases int, f *failure)
}

func (v *verifier) phases() []phase {
	if v.sw.e.target.OpLevelOnly {
		return v.opPhases()
	}
	return []phase{
		{"conformance", func() (int, *failure) { return 1, v.sw.conformance() }},
		{"property", v.property},
		{"statemachine", v.stateMachine},
		{"sweep", v.sweeps},
		{"concurrency", v.concurrency},
	}
}

// run times one phase and records its figures and its violation.
func (v *verifier) run(name string, fn func() (int, *failure)) {
	start := time.Now()
	states0, reused0 := v.sw.states, v.sw.reused
	cases, f := fn()
	ph := Phase{Name: name, Cases: cases, CrashStates: v.sw.states - states0, Seconds: time.Since(start).Seconds()}
	ph.DistinctImages = ph.CrashStates - (v.sw.reused - reused0)
	if f != nil {
		for _, mv := range f.vs {
			v.rep.Violations = append(v.rep.Violations, Violation{
				Invariant: mv.ID, Name: mv.ID.Name(), Phase: name, Detail: mv.Detail,
				Counterexample: f.lines(), Replay: v.replay(),
			})
			ph.Violations++
		}
	}
	v.rep.Phases = append(v.rep.Phases, ph)
	v.rep.Cases += cases
	v.rep.CrashStates += ph.CrashStates
	v.rep.DistinctImages += ph.DistinctImages
	fmt.Fprintf(v.cfg.Log, "%-13s %-12s cases=%-5d states=%-7d images=%-7d %.2fs violations=%d\n", v.rep.Target, name, cases, ph.CrashStates, ph.DistinctImages, ph.Seconds, ph.Violations)
}

func (v *verifier) replay() string {
	return fmt.Sprintf("scopemig verify --target %s --seed %d --depth %d", v.rep.Target, v.rep.Seed, v.cfg.Depth)
}

func (v *verifier) property() (int, *failure) {
	return v.rapidShards("property", v.cfg.Seed, func(sw *sweeper, last **failure) func(*rapid.T) {
		return sw.crashProperty(v.cfg.MaxKeys, v.cfg.Modes, last)
	})
}

func (v *verifier) stateMachine() (int, *failure) {
	return v.rapidShards("statemachine", v.cfg.Seed+1, func(sw *sweeper, last **failure) func(*rapid.T) {
		return sw.machineProperty(v.cfg.Modes, last)
	})
}

// rapidShard is the number of rapid cases of one shard of a rapid phase:
// a fixed size, so the shards (and their seeds) do not depend on the
// number of workers.
const rapidShard = 5

// rapidShards runs Checks cases of a rapid property in shards of
// rapidShard cases, shard i under rapid seed mixSeed(seed, i) with its own
// sweeper, on the verifier's workers; the first failing shard (in index
// order) is the phase's failure, minimized by rapid within that shard.
// With FailFiles the shards run one at a time, so that only the reported
// failure saves a fail file (every shard replays the saved ones first).
func (v *verifier) rapidShards(phase string, seed uint64, prop func(sw *sweeper, last **failure) func(*rapid.T)) (int, *failure) {
	n := (v.cfg.Checks + rapidShard - 1) / rapidShard
	workers := v.cfg.Workers
	if v.cfg.FailFiles != "" {
		workers = 1
	}
	rs := runShards(v.sw.e.ctx, workers, n, func(c *shardCtl) shardResult {
		i := c.i
		checks := min(rapidShard, v.cfg.Checks-i*rapidShard)
		sw := v.shardSweeper(0)
		var last *failure
		p := prop(sw, &last)
		abandonable := func(t *rapid.T) {
			if c.stop() { // a lower shard fails: this result is cut, skip the (shrinking) runs
				c.abandon()
				return
			}
			defer func() {
				if last != nil { // recorded a failure: rapid will report one
					c.failing()
				}
			}()
			p(t)
		}
		failed, logs := v.checkRapidN(phase, max(1, mixSeed(seed, uint64(i))), checks, abandonable)
		return shardResult{cases: checks, states: sw.states, reused: sw.reused, f: rapidFailure(failed, last, logs)}
	})
	_, f := v.sw.merge(rs)
	return v.cfg.Checks, f
}

// shardSweeper is a sweeper of its own for one shard of a phase, on the
// verifier's target, seeded for that shard.
func (v *verifier) shardSweeper(seed uint64) *sweeper {
	return &sweeper{e: v.sw.e, depth: v.cfg.Depth, seed: seed, modes: v.cfg.Modes, memo: memo{off: v.cfg.NoCache}}
}

// rapidFailure turns a rapid failure into a failure: the last one recorded
// is the minimal case rapid replayed; a failure without a record (a panic
// in the target) is reported with rapid's own output.
func rapidFailure(failed bool, last *failure, logs []string) *failure {
	if !failed {
		return nil
	}
	if last != nil {
		return last
	}
	return &failure{vs: []model.Violation{{ID: model.I7, Detail: "the target panicked or failed outside a check"}}, sched: logs}
}

// sweeps explores every crash point for the fixture store and generated
// stores in every mode, then injected EIO and ENOSPC errors. Each store is
// one shard (its modes and errors, in order, with one sweeper and one
// verdict memo), on the verifier's workers; the first failing store (in
// order) is shrunk within its shard.
func (v *verifier) sweeps() (int, *failure) {
	rng := rand.New(rand.NewPCG(v.cfg.Seed, 0x5eed))
	stores := EdgeStates()
	for i := 0; i < v.cfg.Stores; i++ {
		stores = append(stores, genStore(randChooser{rng}, v.cfg.MaxKeys))
	}
	rs := runShards(v.sw.e.ctx, v.cfg.Workers, len(stores), func(c *shardCtl) shardResult {
		sw := v.shardSweeper(mixSeed(v.cfg.Seed^0x5eed, uint64(c.i)))
		cases, f := v.sweepStore(sw, stores[c.i], c)
		return shardResult{cases: cases, states: sw.states, reused: sw.reused, f: f}
	})
	return v.sw.merge(rs)
}

// sweepStore sweeps s0 in every mode, then under injected EIO and ENOSPC,
// and returns the cases run and the first failure, shrunk.
// It stops between cases when the shard is to stop (c.stop), and
// announces a failure before shrinking it.
func (v *verifier) sweepStore(sw *sweeper, s0 model.State, c *shardCtl) (int, *failure) {
	cases := 0
	for _, mode := range v.cfg.Modes {
		if c.stop() {
			c.abandon()
			return cases, nil
		}
		cases++
		f, err := sw.store(s0, mode)
		if err != nil {
			return cases, &failure{vs: []model.Violation{{ID: model.I7, Detail: err.Error()}}, s0: s0}
		}
		if f != nil {
			c.failing()
			return cases, sw.shrinkStore(f, mode, 0)
		}
	}
	for _, errno := range []syscall.Errno{syscall.EIO, syscall.ENOSPC} {
		if c.stop() {
			c.abandon()
			return cases, nil
		}
		cases++
		f, err := sw.errors(s0, errno)
		if err != nil {
			return cases, &failure{vs: []model.Violation{{ID: model.I7, Detail: err.Error()}}, s0: s0}
		}
		if f != nil {
			c.failing()
			return cases, sw.shrinkStore(f, faults.Process, errno)
		}
	}
	return cases, nil
}
