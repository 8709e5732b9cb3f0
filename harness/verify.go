package harness

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"syscall"
	"time"

	"github.com/scopemig/scopemig/faults"
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
	if cfg.Seed == 0 {
		cfg.Seed = rand.Uint64()>>1 | 1
	}
	rep = Report{Target: t.Name, Seed: cfg.Seed, Phases: []Phase{}, Violations: []Violation{}, Inconclusive: []Inconclusive{}} // JSON: [] rather than null
	if t.Exec != nil {
		return verifyExec(ctx, t, cfg, rep)
	}
	if t.Open == nil {
		return rep, fmt.Errorf("%w: %q has no Open function", ErrBadTarget, t.Name)
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
	v := &verifier{cfg: cfg, rep: &rep, sw: &sweeper{e: newEnv(ctx, t), depth: cfg.Depth, seed: cfg.Seed, modes: cfg.Modes}}
	for _, ph := range v.phases() {
		if cfg.skips(ph.name) || (cfg.StopAtFirst && len(rep.Violations) > 0) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		v.run(ph.name, ph.fn)
		if v.err != nil {
			return rep, v.err
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

type verifier struct {
	cfg Config
	rep *Report
	sw  *sweeper
	err error // the first error that stops Verify (ErrRapidFlag), set by a phase
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
	states0 := v.sw.states
	cases, f := fn()
	ph := Phase{Name: name, Cases: cases, CrashStates: v.sw.states - states0, Seconds: time.Since(start).Seconds()}
	if err := v.sw.e.ctx.Err(); err != nil { // a cut phase proves nothing either way
		f = &failure{incKind: InconclusiveCancelled, incDetail: fmt.Sprintf("the phase was cut short: %v", err)}
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
				viol.Keys, viol.CrashPoints, viol.Case = f.c.Keys(), f.c.CrashPoints(), ptr(f.c.clone())
			}
			v.rep.Violations = append(v.rep.Violations, viol)
			ph.Violations++
		}
	}
	v.rep.Phases = append(v.rep.Phases, ph)
	v.rep.Cases += cases
	v.rep.CrashStates += ph.CrashStates
	fmt.Fprintf(v.cfg.Log, "%-13s %-12s cases=%-5d states=%-7d %.2fs violations=%d inconclusive=%d\n", v.rep.Target, name, cases, ph.CrashStates, ph.Seconds, ph.Violations, ph.Inconclusive)
}

func (v *verifier) replay() string {
	return fmt.Sprintf("scopemig verify --target %s --seed %d --depth %d", v.rep.Target, v.rep.Seed, v.cfg.Depth)
}

func (v *verifier) property() (int, *failure) {
	var last *failure
	failed, logs := v.checkRapid("property", v.cfg.Seed, v.sw.crashProperty(v.cfg.MaxKeys, v.cfg.Modes, &last))
	return v.cfg.Checks, v.sw.minimize(rapidFailure(failed, last, logs))
}

func (v *verifier) stateMachine() (int, *failure) {
	var last *failure
	failed, logs := v.checkRapid("statemachine", v.cfg.Seed+1, v.sw.machineProperty(v.cfg.Modes, &last))
	return v.cfg.Checks, rapidFailure(failed, last, logs)
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
	return &failure{incKind: InconclusivePanic, incDetail: "the target panicked or failed outside a check", sched: logs}
}

// sweeps explores every crash point for the fixture store and generated
// stores in every mode, then injected EIO and ENOSPC errors.
func (v *verifier) sweeps() (int, *failure) {
	sw := v.sw
	rng := rand.New(rand.NewPCG(v.cfg.Seed, 0x5eed))
	stores := EdgeStates()
	for i := 0; i < v.cfg.Stores; i++ {
		stores = append(stores, genStore(randChooser{rng}, v.cfg.MaxKeys))
	}
	cases := 0
	for _, s0 := range stores {
		for _, mode := range v.cfg.Modes {
			cases++
			f, err := sw.store(s0, mode)
			if err != nil {
				return cases, inconclusiveFailure(InconclusiveTargetError, err.Error(), s0)
			}
			if f != nil {
				return cases, sw.shrinkStore(f, mode, 0)
			}
		}
		for _, errno := range []syscall.Errno{syscall.EIO, syscall.ENOSPC} {
			cases++
			f, err := sw.errors(s0, errno)
			if err != nil {
				return cases, inconclusiveFailure(InconclusiveTargetError, err.Error(), s0)
			}
			if f != nil {
				return cases, sw.shrinkStore(f, faults.Process, errno)
			}
		}
	}
	return cases, nil
}
