package harness

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"syscall"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// soakCase describes one randomized soak case: everything a replay needs to
// rebuild it, values as fingerprints only.
type soakCase struct {
	// Index is the global case index (shard i of n runs the indices
	// i, i+n, i+2n, …).
	Index int `json:"index"`
	// Seed is the case's own seed, derived from the base seed and Index.
	Seed uint64 `json:"seed"`
	// Keys is the size of the initial store; Store describes it with
	// fingerprints.
	Keys  int    `json:"keys"`
	Store string `json:"store"`
	// Ops is the number of mutating operations of a complete run from the
	// initial store (crash points are drawn in [0, Ops]).
	Ops int `json:"ops"`
	// Schedule is the injector of each faulty run, in order, each in
	// faults.ParseSchedule syntax; a complete run follows them.
	Schedule []string `json:"schedule"`
}

// soakStep is one faulty run of a case.
type soakStep struct {
	inj   faults.Injector
	crash bool
	mode  faults.Mode
	seed  uint64
	op    int
}

// caseSeed derives the seed of case index from the base seed: the first
// output of the PCG stream (base, index).
func caseSeed(base uint64, index int) uint64 { return rand.NewPCG(base, uint64(index)).Uint64() }

// soakRunner runs cases of one target.
type soakRunner struct {
	e       *env
	maxKeys int
	depth   int
	// crashAfterError lets a crash follow an injected I/O error; off, an
	// error step ends the faulty runs (as in the sweeps).
	crashAfterError bool
	// describe fills soakCase.Store of passing cases too (replays); the
	// soak itself describes only failing ones.
	describe bool
}

// plan draws the store and the faulty runs of case index. It runs the
// migration once (no fault) on a copy of the seeded store to learn its
// operation count, and returns the seeded store (for exec). soakCase.Store
// is left empty (describeState hashes every value: the caller fills it
// when the case is reported).
func (r *soakRunner) plan(base uint64, index int) (model.State, []soakStep, soakCase, *faults.MemFS, error) {
	seed := caseSeed(base, index)
	rng := rand.New(rand.NewPCG(seed, uint64(index)))
	s0 := genStore(randChooser{rng}, r.maxKeys)
	d0, err := r.e.seed(s0)
	if err != nil {
		return s0, nil, soakCase{}, nil, fmt.Errorf("case %d: seed: %w", index, err)
	}
	n, _ := r.e.run(d0.Clone(), nil)
	steps := make([]soakStep, 1+rng.IntN(r.depth))
	modes := faults.Modes()
	for i := range steps {
		op := rng.IntN(n + 1)
		if rng.IntN(6) == 0 {
			errno := syscall.EIO
			if rng.IntN(2) == 0 {
				errno = syscall.ENOSPC
			}
			steps[i] = soakStep{inj: faults.ErrorAt{Op: op, Errno: errno}, op: op}
			continue
		}
		c := faults.CrashAt{Op: op, Mode: modes[rng.IntN(len(modes))], Seed: rng.Uint64() >> 1}
		steps[i] = soakStep{inj: c, crash: true, mode: c.Mode, seed: c.Seed, op: op}
	}
	if !r.crashAfterError {
		for i, st := range steps {
			if !st.crash {
				steps = steps[:i+1]
				break
			}
		}
	}
	desc := soakCase{Index: index, Seed: seed, Keys: len(s0.Secrets), Ops: n, Schedule: scheduleOf(steps)}
	return s0, steps, desc, d0, nil
}

func scheduleOf(steps []soakStep) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.inj.String()
	}
	return out
}

// exec runs one case on sw: the I5 body check, each faulty run followed by
// a restart that checks the image (I1–I3, I6–I9), then a complete run (I4,
// I5). nil when every check holds. d0, when not nil, is s0 seeded (exec
// runs on it); nil seeds s0.
func (r *soakRunner) exec(sw *sweeper, s0 model.State, steps []soakStep, d0 *faults.MemFS) (f *failure, err error) {
	e := r.e
	defer func() {
		if p := recover(); p != nil {
			f = &failure{vs: []model.Violation{{ID: model.I7, Detail: fmt.Sprintf("the target panicked: %v", p)}}, s0: s0, sched: scheduleOf(steps)}
		}
	}()
	if f := sw.idempotentBody(s0); f != nil {
		return f, nil
	}
	d := d0
	if d == nil {
		if d, err = e.seed(s0); err != nil {
			return nil, err
		}
	}
	want := sw.expect(s0).want
	vals := valueSet(s0, want)
	var sched []string
	for _, st := range steps {
		sched = append(slices.Clip(sched), st.inj.String())
		ops, runErr := e.run(d, st.inj)
		sw.runs++
		sw.states++
		var vs []model.Violation
		if st.crash {
			d = image(d, st.mode, st.seed)
			vs = e.checkHygiene(d, vals)
		}
		got, rerr := e.observe(d)
		vs = append(vs, sw.checkState(s0, got, rerr)...)
		if st.crash && runErr == nil && rerr == nil && st.op >= ops {
			for _, line := range e.model.Diff(want, got) {
				vs = append(vs, model.Violation{ID: model.I6, Detail: "a migration that returned did not survive the crash: " + line})
			}
		}
		if len(vs) > 0 {
			return &failure{vs: vs, s0: s0, sched: sched}, nil
		}
	}
	_, f = sw.complete(s0, d, sched)
	return f, nil
}

// shrink removes chunks of keys from a failing store while the same plan
// still fails with the same invariant (halving chunks down to one key) and
// returns the smallest failure. Deterministic.
func (r *soakRunner) shrink(sw *sweeper, f *failure, steps []soakStep) *failure {
	id := f.vs[0].ID
	best := f
	for size := max(1, len(best.s0.Secrets)/2); ; size /= 2 {
		for i := 0; i < len(best.s0.Secrets); {
			keys := best.s0.Keys()
			smaller := best.s0.Clone()
			for _, k := range keys[i:min(i+size, len(keys))] {
				delete(smaller.Secrets, k)
			}
			g, err := r.exec(sw, smaller, steps, nil)
			if err == nil && g != nil && g.vs[0].ID == id {
				best = g
				continue
			}
			i += size
		}
		if size <= 1 {
			return best
		}
	}
}
