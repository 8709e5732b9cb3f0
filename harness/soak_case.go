package harness

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"syscall"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// soakCase describes one randomized soak case: everything a replay needs to
// rebuild it, values as fingerprints only.
type soakCase struct {
	// Index is the global case index (shard i of n runs the store groups
	// i, i+n, i+2n, …, each of 16 consecutive indices).
	Index int `json:"index"`
	// Seed is the case's own seed (its faulty runs), derived from the base
	// seed and Index.
	Seed uint64 `json:"seed"`
	// Keys is the size of the initial store (store group Index/16, drawn
	// from the base seed and the group); Store describes it with
	// fingerprints.
	Keys  int    `json:"keys"`
	Store string `json:"store"`
	// Ops is the number of mutating operations of a complete run from the
	// initial store (crash points are drawn in [0, Ops], then scaled to
	// the run they hit: soakStep.at).
	Ops int `json:"ops"`
	// Schedule is the injector of each faulty run, in order, each in
	// faults.ParseSchedule syntax; a complete run follows them.
	Schedule []string `json:"schedule"`
}

// casesPerStore is how many consecutive case indices share one generated
// store: case i runs on store group i/casesPerStore. Seeding a store of up
// to 200 keys, counting its operations, Migrate(S0), the I5 body check and
// a fresh store's file set cost more than the few crash states a schedule
// yields, so a worker keeps them for the group's cases (and the verdicts
// of the images they reach: a crash image already checked for the same
// store is not checked again). Shards and workers take whole groups.
const casesPerStore = 16

// caseIndex is the global index of the k-th case of shard of shards: the
// shard takes every shards-th group of casesPerStore consecutive indices.
func caseIndex(shard, shards, k int) int {
	return (shard+shards*(k/casesPerStore))*casesPerStore + k%casesPerStore
}

// soakStep is one faulty run of a case: a crash (crash set) or an injected
// error. Its point is drawn relative to the run it hits: plan draws op in
// [0, base] (base: the operation count of a complete run from the initial
// store), and exec scales it to the operation count n of that run
// uncrashed (op·(n+1)/(base+1), in [0, n]), as the property and the state
// machine draw theirs; the first run's point is the drawn one. A fixed
// step (a resolved one: a shrink candidate, a replayed schedule) keeps
// its point.
type soakStep struct {
	inj   faults.Injector
	crash bool
	c     faults.CrashAt // the crash, when crash
	base  int            // the count op was drawn against
	fixed bool           // inj is resolved: run it as it is
}

// at returns st resolved against a run of n operations.
func (st soakStep) at(n int) soakStep {
	if st.fixed {
		return st
	}
	op := st.op() * (n + 1) / (st.base + 1)
	st.fixed = true
	if st.crash {
		st.c.Op = op
		st.inj = st.c
		return st
	}
	e := st.inj.(faults.ErrorAt)
	e.Op = op
	st.inj = e
	return st
}

// op is the step's (drawn or resolved) operation index.
func (st soakStep) op() int {
	if st.crash {
		return st.c.Op
	}
	return st.inj.(faults.ErrorAt).Op
}

// caseSeed derives the seed of case index from the base seed: the first
// output of the PCG stream (base, index).
func caseSeed(base uint64, index int) uint64 { return rand.NewPCG(base, uint64(index)).Uint64() }

// storeSeed derives the seed of store group g from the base seed: the
// first output of the PCG stream (base, ^g) (case seeds use the streams
// below 2^63).
func storeSeed(base uint64, g int) uint64 { return rand.NewPCG(base, ^uint64(g)).Uint64() }

// soakStore is one generated store and what every case on it shares.
type soakStore struct {
	base  uint64
	group int
	s0    model.State
	d0    *faults.MemFS // s0 seeded; never written (every case runs on a clone)
	ops   int           // mutating operations of a complete run from d0
}

// soakRunner runs cases of one target. Not safe for concurrent use: each
// worker has its own.
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
	// store is the store of the last case's group, sw the sweeper of its
	// cases (its memo holds the verdicts of that store's images); both
	// replaced when a case of another group comes.
	store *soakStore
	sw    *sweeper
	// noCache turns the sweeper's memo off: every image checked afresh
	// (the test that a shared store's cached verdicts change nothing).
	noCache bool
	// ran are the resolved faulty runs of the last exec (its tests).
	ran []soakStep
}

// storeFor returns store group g of the soak with base seed base: drawn
// from storeSeed(base, g), seeded, and run once without a fault to count
// its operations. The runner keeps the last one.
func (r *soakRunner) storeFor(base uint64, g int) (*soakStore, error) {
	if st := r.store; st != nil && st.base == base && st.group == g {
		return st, nil
	}
	seed := storeSeed(base, g)
	s0 := fixture.GenStore(fixture.RandChooser{R: rand.New(rand.NewPCG(seed, uint64(g)))}, r.maxKeys)
	d0, err := r.e.seed(s0)
	if err != nil {
		return nil, fmt.Errorf("store %d: seed: %w", g, err)
	}
	n, _ := r.e.run(d0.Clone(), nil)
	r.store = &soakStore{base: base, group: g, s0: s0, d0: d0, ops: n}
	r.sw = &sweeper{e: r.e, depth: r.depth, seed: seed, memo: memo{off: r.noCache}}
	return r.store, nil
}

// plan draws case index: its store (shared by its group, see storeFor)
// and its faulty runs, from the case's own seed. soakCase.Store is left
// empty (describeState hashes every value: the caller fills it when the
// case is reported).
func (r *soakRunner) plan(base uint64, index int) (*soakStore, []soakStep, soakCase, error) {
	st, err := r.storeFor(base, index/casesPerStore)
	if err != nil {
		return nil, nil, soakCase{Index: index}, fmt.Errorf("case %d: %w", index, err)
	}
	seed := caseSeed(base, index)
	rng := rand.New(rand.NewPCG(seed, uint64(index)))
	n := st.ops
	steps := make([]soakStep, 1+rng.IntN(r.depth))
	modes := faults.Modes()
	for i := range steps {
		op := rng.IntN(n + 1)
		if rng.IntN(6) == 0 {
			errno := syscall.EIO
			if rng.IntN(2) == 0 {
				errno = syscall.ENOSPC
			}
			steps[i] = soakStep{inj: faults.ErrorAt{Op: op, Errno: errno}, base: n}
			continue
		}
		c := faults.CrashAt{Op: op, Mode: modes[rng.IntN(len(modes))], Seed: rng.Uint64() >> 1}
		steps[i] = soakStep{inj: c, crash: true, c: c, base: n}
	}
	if !r.crashAfterError {
		for i, st := range steps {
			if !st.crash {
				steps = steps[:i+1]
				break
			}
		}
	}
	desc := soakCase{Index: index, Seed: seed, Keys: len(st.s0.Secrets), Ops: n, Schedule: scheduleOf(steps)}
	return st, steps, desc, nil
}

func scheduleOf(steps []soakStep) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.inj.String()
	}
	return out
}

// exec runs one case on sw: the I5 body check (once per initial state:
// it depends on nothing else), each faulty run followed by a restart that
// checks the image (crashStep: I8, I7, I1–I3, I6; an image already checked
// for the same initial state passes from the memo), then a complete run
// (I4, I5). nil when every check holds. d0, when not nil, is s0 seeded,
// private to this call (exec runs on it), and ops0 the operation count of
// a complete run from it (-1: unknown); nil seeds s0. Each step is
// resolved against the run it hits (soakStep.at); the failure's steps
// (f.soak) are the resolved ones that ran.
func (r *soakRunner) exec(sw *sweeper, s0 model.State, steps []soakStep, d0 *faults.MemFS, ops0 int) (f *failure, err error) {
	e := r.e
	var ran []soakStep
	defer func() {
		if p := recover(); p != nil {
			f = &failure{vs: []model.Violation{{ID: model.I7, Detail: fmt.Sprintf("the target panicked: %v", p)}}, s0: s0, sched: scheduleOf(ran)}
		}
		if f != nil {
			f.soak = ran
		}
		r.ran = ran
	}()
	x := sw.expect(s0)
	if !x.bodyOK {
		if f := sw.idempotentBody(s0); f != nil {
			return f, nil
		}
		x.bodyOK = true
	}
	d := d0
	if d == nil {
		if d, err = e.seed(s0); err != nil {
			return nil, err
		}
	}
	vals := x.valuesOf()
	var sched []string
	crashed := false // d is a crash image the memo may share: clone before writing
	for i, st := range steps {
		if !st.fixed {
			n := ops0
			if i > 0 || n < 0 {
				n = sw.opsOf(s0, d)
			}
			st = st.at(n)
		}
		ran = append(ran, st)
		sched = append(slices.Clip(sched), st.inj.String())
		if crashed {
			d = d.Clone()
		}
		if st.crash {
			var vs []model.Violation
			if d, vs = r.crashStep(sw, s0, d, st.c, vals, sched); len(vs) > 0 {
				return &failure{vs: vs, s0: s0, sched: sched}, nil
			}
			crashed = true
			continue
		}
		_, _ = e.run(d, st.inj)
		sw.runs++
		sw.states++
		got, rerr := e.observe(d)
		if vs := sw.checkState(s0, got, rerr); len(vs) > 0 {
			return &failure{vs: vs, s0: s0, sched: sched}, nil
		}
		crashed = false
	}
	if crashed { // a crash image: its complete run's verdict is a function of its bytes
		_, f = sw.completeOnce(s0, d, sched, true)
		return f, nil
	}
	_, f = sw.complete(s0, d, sched)
	return f, nil
}

// crashStep runs the migration on d crashing at c and checks the crash
// image in c's mode (sweeper.crashStep), and, when c is not Torn, also the
// images the same crashed disk leaves in the other modes: a Process, Power
// or PowerPartial crash at an operation differ only in the image taken
// (Torn also tears the crashing write), so one run yields three crash
// states, each exactly what a crash at c.Op in that mode (same seed)
// leaves, each checked in full (or from the memo when an equal image was
// checked for the same store). It returns the image of c's own mode (the
// case goes on from it). On a violation, the last line of sched names the
// crash whose image failed.
func (r *soakRunner) crashStep(sw *sweeper, s0 model.State, d *faults.MemFS, c faults.CrashAt, vals model.Values, sched []string) (*faults.MemFS, []model.Violation) {
	if c.Mode == faults.Torn {
		return sw.crashStep(s0, d, c, vals)
	}
	ops, runErr := sw.e.run(d, c)
	sw.runs++
	afterReturn := c.Op >= ops && runErr == nil
	img, vs := sw.checkCrash(s0, image(d, c.Mode, c.Seed), vals, afterReturn)
	if len(vs) > 0 {
		return img, vs
	}
	for _, m := range [...]faults.Mode{faults.Process, faults.Power, faults.PowerPartial} {
		if m == c.Mode {
			continue
		}
		other := c
		other.Mode = m
		if _, vs := sw.checkCrash(s0, image(d, m, c.Seed), vals, afterReturn); len(vs) > 0 {
			sched[len(sched)-1] = other.String()
			return img, vs
		}
	}
	return img, nil
}

// opsOf returns the operation count of a complete run from d (d is not
// changed): remembered when a complete run from an image of the same
// content already passed for s0 (completeOnce), else counted on a clone.
func (sw *sweeper) opsOf(s0 model.State, d *faults.MemFS) int {
	if n, ok := sw.memo.complete[sw.memo.imageKey(kindComplete, sw.expect(s0), d)]; ok {
		return n
	}
	n, _ := sw.e.run(d.Clone(), nil)
	sw.runs++
	return n
}

// shrink makes a failing case 1-minimal: it drops single keys of the
// store and single faulty runs (its resolved steps: f.soak) while the case
// still fails with the same invariant, until no single key and no single
// faulty run can be dropped. Deterministic; every candidate runs from
// scratch.
func (r *soakRunner) shrink(sw *sweeper, f *failure) *failure {
	id := f.vs[0].ID
	best := f
	try := func(s0 model.State, steps []soakStep) bool {
		if r.e.ctx.Err() != nil {
			return false
		}
		g, err := r.exec(sw, s0, steps, nil, -1)
		if err != nil || g == nil || len(g.vs) == 0 || g.vs[0].ID != id {
			return false
		}
		best = g
		return true
	}
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(best.soak) && !changed; i++ {
			changed = try(best.s0, slices.Delete(slices.Clone(best.soak), i, i+1))
		}
		for _, k := range best.s0.Keys() {
			if changed {
				break
			}
			smaller := best.s0.Clone()
			delete(smaller.Secrets, k)
			changed = try(smaller, best.soak)
		}
	}
	return best
}
