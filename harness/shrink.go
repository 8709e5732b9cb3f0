package harness

import (
	"context"
	"fmt"
	"slices"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// failCase is a counterexample as data: an initial store and the faulty runs
// before a complete one. Either Crashes (each run of the migration crashes
// at its operation; the next run starts from the crash image) or Error
// (one run fails with an injected I/O error, the process lives on; a
// retry in a new process runs to the end, then the power is cut). When Op
// is set, the case is conformance's instead: the single provider
// operation of that name (set new key, overwrite key, delete key, delete
// batch) on Store, crashed at Crashes[0].
type failCase struct {
	Store   model.State
	Crashes []faults.CrashAt
	Error   *faults.ErrorAt
	Op      string
}

// Keys is the number of keys of the initial store.
func (c failCase) Keys() int { return len(c.Store.Secrets) }

// CrashPoints lists the operation index of each faulty run.
func (c failCase) CrashPoints() []int {
	if c.Error != nil {
		return []int{c.Error.Op}
	}
	out := make([]int, len(c.Crashes))
	for i, inj := range c.Crashes {
		out[i] = inj.Op
	}
	return out
}

func (c failCase) clone() failCase {
	out := failCase{Store: c.Store.Clone(), Crashes: slices.Clone(c.Crashes), Op: c.Op}
	if c.Error != nil {
		e := *c.Error
		out.Error = &e
	}
	return out
}

// recheck reruns case c of target t (with no memo, on fresh disks) and
// returns the violations of its first failing step; none when c passes.
// The error is non-nil only when the case could not be judged (the store
// cannot be seeded, the target panicked): inconclusive.
func recheck(ctx context.Context, t Target, c failCase) (vs []model.Violation, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %q panicked: %v", ErrBadTarget, t.Name, p)
		}
	}()
	sw := &sweeper{e: newEnv(ctx, t)}
	f := sw.replay(c)
	if f == nil {
		return nil, nil
	}
	if len(f.vs) == 0 {
		return nil, fmt.Errorf("%s: %s", f.incKind, f.incDetail)
	}
	return f.vs, nil
}

// replay runs case c from scratch: the checks of the property and the
// sweeps, step by step, each crash image scanned (I8) before anything
// reopens it.
func (sw *sweeper) replay(c failCase) *failure {
	if c.Op != "" {
		return sw.replayOp(c)
	}
	e := sw.e
	s0 := c.Store
	d, err := e.seed(s0)
	if err != nil {
		return inconclusiveFailure(inconclusiveTargetError, "cannot seed the store: "+err.Error(), s0)
	}
	if c.Error != nil {
		f := sw.errorStep(s0, d, *c.Error)
		if f != nil {
			f.c = ptr(c.clone())
		}
		return f
	}
	vals := valueSet(s0, sw.expect(s0).want)
	var sched []string
	for _, inj := range c.Crashes {
		sched = append(slices.Clip(sched), inj.String())
		var vs []model.Violation
		d, vs = sw.crashStep(s0, d, inj, vals)
		if len(vs) > 0 {
			return &failure{vs: vs, s0: s0, sched: sched, c: ptr(c.clone())}
		}
	}
	if _, f := sw.complete(s0, d, sched); f != nil {
		f.c = ptr(c.clone())
		return f
	}
	return nil
}

// crashStep runs the migration on d crashing at inj, and checks the crash
// image: I8 first (before anything reopens it), then a restart reads it
// (I7, I1–I3); a run that returned before the crash point must have
// survived it (I6). It returns the image.
func (sw *sweeper) crashStep(s0 model.State, d *faults.MemFS, inj faults.CrashAt, vals model.Values) (*faults.MemFS, []model.Violation) {
	ops, runErr := sw.e.run(d, inj)
	sw.runs++
	return sw.checkCrash(s0, image(d, inj.Mode, inj.Seed), vals, inj.Op >= ops && runErr == nil)
}

// errorStep runs the migration on d failing at inj (the process lives
// on): the live state must satisfy I1–I3 and I7, and a retry must converge
// and survive power loss.
func (sw *sweeper) errorStep(s0 model.State, d *faults.MemFS, inj faults.ErrorAt) *failure {
	here := []string{inj.String()}
	_, _ = sw.e.run(d, inj)
	sw.runs++
	sw.states++
	st, rerr := sw.e.observe(d)
	if vs := sw.checkState(s0, st, rerr); len(vs) > 0 {
		return &failure{vs: vs, s0: s0, sched: here}
	}
	return sw.retryThenPowerLoss(s0, d, here)
}

func ptr[T any](v T) *T { return &v }

// minimize makes a failing case 1-minimal: it drops whole faulty runs,
// single keys and moves crash points earlier while the case still
// violates the same invariant (the first of f's), until no single removal
// of a key and no earlier crash point of any run violates it. Deterministic;
// every candidate is replayed from scratch.
func (sw *sweeper) minimize(f *failure) *failure {
	if f != nil && f.mc != nil {
		return sw.minimizeMachine(f)
	}
	if f == nil || f.c == nil || len(f.vs) == 0 || sw.e.ctx.Err() != nil {
		return f
	}
	id := f.vs[0].ID
	best := f
	try := func(c failCase) bool {
		if sw.e.ctx.Err() != nil {
			return false
		}
		sw.memo.reset()
		g := sw.replay(c)
		if g == nil || !slices.ContainsFunc(g.vs, func(v model.Violation) bool { return v.ID == id }) {
			return false
		}
		// the invariant being minimized first, the others after it
		slices.SortStableFunc(g.vs, func(a, b model.Violation) int { return boolInt(b.ID == id) - boolInt(a.ID == id) })
		best = g
		return true
	}
	for changed := true; changed; {
		changed = false
		c := *best.c
		for i := 0; i < len(c.Crashes) && c.Op == ""; i++ {
			cand := c.clone()
			cand.Crashes = slices.Delete(cand.Crashes, i, i+1)
			if changed = try(cand); changed {
				break
			}
		}
		for _, k := range c.Store.Keys() {
			if changed {
				break
			}
			cand := c.clone()
			delete(cand.Store.Secrets, k)
			changed = try(cand)
		}
		for i := 0; i < len(c.Crashes) && !changed; i++ {
			for op := 0; op < c.Crashes[i].Op && !changed; op++ {
				cand := c.clone()
				cand.Crashes[i].Op = op
				changed = try(cand)
			}
		}
		if c.Error != nil {
			for op := 0; op < c.Error.Op && !changed; op++ {
				cand := c.clone()
				cand.Error.Op = op
				changed = try(cand)
			}
		}
	}
	sw.memo.reset()
	return best
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
