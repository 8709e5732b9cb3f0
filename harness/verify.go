package harness

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"syscall"
	"time"

	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// ErrBadTarget reports a Target that cannot be verified (no Open, or a
// panic in the target's code outside any invariant check).
var ErrBadTarget = errors.New("bad target")

// Verify checks target t against the model and returns what it found. It
// returns an error only when the target itself is unusable (wrapping
// ErrBadTarget), rapid does not take the settings the harness gives it
// (wrapping ErrRapidFlag: a seed that silently did not apply would make
// every replay line a lie), or ctx ends; a broken provider or migration is
// reported as Violations, never as a panic. What cannot be judged (target
// errors where no fault was injected, panics, cancellation, checker
// timeouts) is reported in Report.Inconclusive, never as a violation: when
// ctx ends, the phase it cut is recorded as cancelled (its findings
// dropped) and ctx's error is returned.
func Verify(ctx context.Context, t Target, cfg Config) (rep Report, err error) {
	if t.Defaults != nil {
		cfg = t.Defaults(cfg)
	}
	cfg = cfg.withDefaults()
	if t.OpLevelOnly { // one external store, process crashes only
		cfg.Workers, cfg.Modes = 1, []faults.Mode{faults.Process}
	}
	if cfg.Seed == 0 {
		cfg.Seed = rand.Uint64()>>1 | 1
	}
	rep = Report{Target: t.Name, Seed: cfg.Seed, Phases: []Phase{}, Violations: []Violation{}, Inconclusive: []Inconclusive{}} // JSON: [] rather than null
	if err := t.validateName(); err != nil {
		return rep, err
	}
	if t.Exec != nil {
		return verifyExec(ctx, t, cfg, rep)
	}
	if err := t.validate(); err != nil {
		return rep, err
	}
	if err := rapidFlagsIn(flag.CommandLine); err != nil {
		return rep, err
	}
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %q panicked: %v", ErrBadTarget, t.Name, p)
		}
		rep.Seconds = time.Since(start).Seconds()
	}()
	v := &verifier{cfg: cfg, rep: &rep, sw: &sweeper{e: newEnvCaches(ctx, t, cfg.NoCache), depth: cfg.Depth, seed: cfg.Seed, modes: cfg.Modes, memo: memo{off: cfg.NoCache}}}
	for _, ph := range v.phases() {
		if cfg.skips(ph.name) || (cfg.StopAtFirst && len(rep.Violations) > 0) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		v.run(ph.name, ph.fn)
		if err := v.firstErr(); err != nil {
			return rep, err
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

type verifier struct {
	cfg   Config
	rep   *Report
	sw    *sweeper
	errMu sync.Mutex // guards err (phases set it from their shards' goroutines)
	err   error      // the first error that stops Verify (ErrRapidFlag), set by a phase
}

// setErr records err unless an error was recorded already.
func (v *verifier) setErr(err error) {
	v.errMu.Lock()
	defer v.errMu.Unlock()
	if v.err == nil {
		v.err = err
	}
}

// firstErr returns the error recorded by setErr, or nil.
func (v *verifier) firstErr() error {
	v.errMu.Lock()
	defer v.errMu.Unlock()
	return v.err
}

type phase struct {
	name string
	fn   func() (cases int, f *failure)
}

// phases are Verify's phases. An op-level target runs the same ones but
// concurrency, and names the checks it cannot run as skipped phases with
// zero cases (so that Config.Skip works alike and nobody mistakes them for
// passed).
func (v *verifier) phases() []phase {
	phs := []phase{
		{"conformance", func() (int, *failure) { return 1, v.sw.conformance() }},
		{"property", v.property},
		{"statemachine", v.stateMachine},
		{"sweep", v.sweeps},
	}
	if v.sw.e.b.onDisk() {
		return append(phs, phase{"concurrency", v.concurrency})
	}
	skipped := func() (int, *failure) { return 0, nil }
	return append(phs, phase{skippedFileSet, skipped}, phase{skippedHygiene, skipped}, phase{skippedConcurrency, skipped})
}

// run times one phase and records its figures and its violation.
func (v *verifier) run(name string, fn func() (int, *failure)) {
	start := time.Now()
	states0, reused0 := v.sw.states, v.sw.reused
	cases, f := fn()
	ph := Phase{Name: name, Cases: cases, CrashStates: v.sw.states - states0, Seconds: time.Since(start).Seconds()}
	ph.DistinctImages = ph.CrashStates - (v.sw.reused - reused0)
	if err := v.sw.e.ctx.Err(); err != nil { // a cut phase proves nothing either way
		f = &failure{incKind: inconclusiveCancelled, incDetail: fmt.Sprintf("the phase was cut short: %v", err)}
	}
	switch {
	case f == nil:
	case len(f.vs) == 0:
		v.rep.Inconclusive = append(v.rep.Inconclusive, Inconclusive{
			Kind: f.incKind, Phase: name, Detail: f.incDetail, Counterexample: f.lines(), Replay: v.replay(),
		})
		ph.Inconclusive++
	default:
		for _, mv := range f.vs {
			viol := Violation{
				Invariant: mv.ID, Name: mv.ID.Name(), Phase: name, Detail: mv.Detail,
				Counterexample: f.lines(), Replay: v.replay(), Keys: len(f.s0.Secrets), CrashPoints: []int{},
			}
			if f.c != nil {
				viol.Keys, viol.CrashPoints, viol.c = f.c.Keys(), f.c.CrashPoints(), ptr(f.c.clone())
			}
			if f.mc != nil {
				viol.mc = ptr(f.mc.clone())
			}
			v.rep.Violations = append(v.rep.Violations, viol)
			ph.Violations++
		}
	}
	v.rep.Phases = append(v.rep.Phases, ph)
	v.rep.Cases += cases
	v.rep.CrashStates += ph.CrashStates
	v.rep.DistinctImages += ph.DistinctImages
	fmt.Fprintf(v.cfg.Log, "%-13s %-12s cases=%-5d states=%-7d images=%-7d %.2fs violations=%d inconclusive=%d\n", v.rep.Target, name, cases, ph.CrashStates, ph.DistinctImages, ph.Seconds, ph.Violations, ph.Inconclusive)
}

// replay is the Verify call that re-runs this run: the target by name and
// the sizing that decides the cases. A command line is the caller's to
// write (cmd/scopemig writes `scopemig verify …` for the targets it names).
func (v *verifier) replay() string {
	return fmt.Sprintf("harness.Verify(ctx, target %q, harness.Config{Seed: %d, Depth: %d, Checks: %d, Stores: %d, MaxKeys: %d})",
		v.rep.Target, v.rep.Seed, v.cfg.Depth, v.cfg.Checks, v.cfg.Stores, v.cfg.MaxKeys)
}

func (v *verifier) property() (int, *failure) {
	return v.rapidShards("property", v.cfg.Seed, true, func(sw *sweeper, last **failure) func(*rapid.T) {
		return sw.crashProperty(v.cfg.MaxKeys, v.cfg.Modes, last)
	})
}

func (v *verifier) stateMachine() (int, *failure) {
	return v.rapidShards("statemachine", v.cfg.Seed+1, true, func(sw *sweeper, last **failure) func(*rapid.T) {
		return sw.machineProperty(v.cfg.Modes, last)
	})
}

// rapidShard is the number of rapid cases of one shard of a rapid phase:
// a fixed size, so the shards (and their seeds) do not depend on the
// number of workers.
const rapidShard = 5

// rapidShards runs Checks cases of a rapid property in shards of
// rapidShard cases, shard i under a rapid seed drawn from (seed, i) with
// its own sweeper, on the verifier's workers; the first failing shard (in
// index order) is the phase's failure, minimized by rapid within that
// shard (and then by sweeper.minimize, with minimize).
// With FailFiles the shards run one at a time, so that only the reported
// failure saves a fail file (every shard replays the saved ones first).
func (v *verifier) rapidShards(phase string, seed uint64, minimize bool, prop func(sw *sweeper, last **failure) func(*rapid.T)) (int, *failure) {
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
		failed, logs := v.checkRapidN(phase, max(1, rand.NewPCG(seed, uint64(i)).Uint64()), checks, abandonable)
		f := rapidFailure(failed, last, logs)
		if minimize && !c.abandoned {
			f = sw.minimize(f)
		}
		return shardResult{cases: checks, states: sw.states, reused: sw.reused, f: f}
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
// in the target) is inconclusive, reported with rapid's own output.
func rapidFailure(failed bool, last *failure, logs []string) *failure {
	if !failed {
		return nil
	}
	if last != nil {
		return last
	}
	return &failure{incKind: inconclusivePanic, incDetail: "the target panicked or failed outside a check", sched: logs}
}

// sweeps explores every crash point for the fixture store and generated
// stores in every mode, then injected EIO and ENOSPC errors. Each store is
// one shard (its modes and errors, in order, with one sweeper and one
// verdict memo), on the verifier's workers; the first failing store (in
// order) is shrunk within its shard.
func (v *verifier) sweeps() (int, *failure) {
	rng := rand.New(rand.NewPCG(v.cfg.Seed, 0x5eed))
	stores := fixture.EdgeStates()
	for i := 0; i < v.cfg.Stores; i++ {
		stores = append(stores, fixture.GenStore(fixture.RandChooser{R: rng}, v.cfg.MaxKeys))
	}
	rs := runShards(v.sw.e.ctx, v.cfg.Workers, len(stores), func(c *shardCtl) shardResult {
		sw := v.shardSweeper(rand.NewPCG(v.cfg.Seed^0x5eed, uint64(c.i)).Uint64())
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
			return cases, targetFailure("sweep", err, s0)
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
			return cases, targetFailure("error sweep", err, s0)
		}
		if f != nil {
			c.failing()
			return cases, sw.shrinkStore(f, faults.Process, errno)
		}
	}
	return cases, nil
}
