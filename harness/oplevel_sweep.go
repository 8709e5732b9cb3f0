package harness

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// opSweep is the exhaustive op-level sweep of one initial store s0. An
// op-level store cannot be cloned, so every case starts with a reset of
// the store (and a fresh flag disk) to the state the case starts from.
// Its durable state is its content and the flag; two crash points that
// leave the same state lead to the same futures, so each distinct state is
// explored once per remaining depth (seen).
type opSweep struct {
	sw   *sweeper
	s0   model.State
	want model.State    // Migrate(s0)
	seen map[string]int // describeState(c) -> the largest depth already swept from c
}

func (sw *sweeper) newOpSweep(s0 model.State) *opSweep {
	return &opSweep{sw: sw, s0: s0, want: sw.e.model.Migrate(s0, sw.e.policy), seen: map[string]int{}}
}

// opStore sweeps s0: I5 on Migrate(s0), then every op-level crash point
// of a run (nested to the sweeper's depth), then an injected error at
// every call.
func (sw *sweeper) opStore(s0 model.State) (*failure, error) {
	if f := sw.idempotentBody(s0); f != nil {
		return f, nil
	}
	o := sw.newOpSweep(s0)
	if f, err := o.from(s0, nil, sw.depth); f != nil || err != nil {
		return f, err
	}
	return o.errors()
}

// from checks a complete run from c (reached from s0 by the runs in sched),
// then, if depth > 0, crashes a run from c at each distinct crash point,
// checks what a restart sees, and recurses on it.
func (o *opSweep) from(c model.State, sched []string, depth int) (*failure, error) {
	key := describeState(c)
	if d, ok := o.seen[key]; ok && d >= depth {
		return nil, nil
	}
	o.seen[key] = depth
	e := o.sw.e
	d, err := e.seed(c)
	if err != nil {
		return nil, err
	}
	out, f := o.complete(d, sched)
	if f != nil || depth == 0 {
		return f, nil
	}
	for _, inj := range opCrashPoints(out) {
		d, err := e.seed(c)
		if err != nil {
			return nil, err
		}
		here := append(slices.Clip(sched), inj.String())
		e.opRun(d, inj)
		o.sw.runs++
		img := restartImage(d)
		o.sw.states++
		st, rerr := e.observe(img)
		if vs := e.checkImage(o.s0, st, rerr); len(vs) > 0 {
			return &failure{vs: vs, s0: o.s0, sched: here}, nil
		}
		if f, err := o.from(st, here, depth-1); f != nil || err != nil {
			return f, err
		}
	}
	return nil, nil
}

// opCrashPoints lists the distinct crash points of a run that made
// out.calls calls: before every call, and after a call only when it is the
// last one or the process touched its filesystem (the flag) before the
// next call; otherwise crashing after call k leaves exactly what crashing
// before call k+1 leaves.
func opCrashPoints(out opOutcome) []faults.Injector {
	var pts []faults.Injector
	for k := 0; k < out.calls; k++ {
		pts = append(pts, faults.CrashAt{Op: k})
		if k == out.calls-1 || k+1 >= len(out.at) || out.at[k+1] != out.at[k] {
			pts = append(pts, faults.CrashAt{Op: k, After: true})
		}
	}
	return pts
}

// complete runs the migration to the end on d (no faults) and checks I4
// (the store holds exactly Migrate(s0)) and I5 (a second run writes
// nothing: no mutating provider call, no filesystem operation). The file
// set of the flag disk is not compared: I4's file part does not apply to
// a store that is not on it.
func (o *opSweep) complete(d *faults.MemFS, sched []string) (opOutcome, *failure) {
	e := o.sw.e
	fail := func(id model.InvariantID, format string, a ...any) (opOutcome, *failure) {
		return opOutcome{}, &failure{vs: []model.Violation{{ID: id, Detail: fmt.Sprintf(format, a...)}}, s0: o.s0, sched: append(slices.Clip(sched), "complete run")}
	}
	out := e.opRun(d, nil)
	o.sw.runs++
	if out.err != nil {
		return fail(model.I4, "the complete run failed: %v", out.err)
	}
	st, err := e.observe(d)
	if err != nil {
		return fail(model.I7, "after a complete run %v", err)
	}
	if diff := model.Diff(o.want, st); len(diff) > 0 {
		return fail(model.I4, "the complete run did not yield Migrate(S0): %s", diff[0])
	}
	again := e.opRun(d, nil)
	o.sw.runs++
	if again.err != nil {
		return fail(model.I5, "a run on a migrated store failed: %v", again.err)
	}
	if again.writes > 0 {
		return fail(model.I5, "a run on a migrated store made %d writes, want 0", again.writes)
	}
	return out, nil
}

// errors makes each call of a run from s0 fail (the process lives on):
// the live store must satisfy I1–I3, and a complete run in a new process
// from there must converge.
func (o *opSweep) errors() (*failure, error) {
	e := o.sw.e
	d, err := e.seed(o.s0)
	if err != nil {
		return nil, err
	}
	out := e.opRun(d, nil)
	o.sw.runs++
	for k := 0; k < out.calls; k++ {
		d, err := e.seed(o.s0)
		if err != nil {
			return nil, err
		}
		inj := faults.ErrorAt{Op: k}
		here := []string{inj.String()}
		e.opRun(d, inj)
		o.sw.runs++
		o.sw.states++
		st, rerr := e.observe(d)
		if vs := e.checkImage(o.s0, st, rerr); len(vs) > 0 {
			return &failure{vs: vs, s0: o.s0, sched: here}, nil
		}
		if f, err := o.from(st, here, 0); f != nil || err != nil {
			return f, err
		}
	}
	return nil, nil
}

// opSweeps is Verify's op-level sweep phase: the edge stores (the
// fixture, with and without taken quarantine slots) and cfg.Stores
// generated stores, each swept by opStore; a failure is shrunk
// by removing keys.
func (v *verifier) opSweeps() (int, *failure) {
	rng := rand.New(rand.NewPCG(v.cfg.Seed, 0x5eed))
	stores := EdgeStates()
	for i := 0; i < v.cfg.Stores; i++ {
		stores = append(stores, genStore(randChooser{rng}, v.cfg.MaxKeys))
	}
	for i, s0 := range stores {
		f, err := v.sw.opStore(s0)
		if err != nil {
			return i + 1, &failure{vs: []model.Violation{{ID: model.I7, Detail: err.Error()}}, s0: s0}
		}
		if f != nil {
			return i + 1, v.sw.shrinkOpStore(f)
		}
	}
	return len(stores), nil
}

// shrinkOpStore removes keys from a failing store while the same invariant
// still fails, and returns the smallest failure found.
func (sw *sweeper) shrinkOpStore(f *failure) *failure {
	id := f.vs[0].ID
	best := f
	for changed := true; changed; {
		changed = false
		for _, k := range best.s0.Keys() {
			smaller := best.s0.Clone()
			delete(smaller.Secrets, k)
			if g, _ := sw.opStore(smaller); g != nil && g.vs[0].ID == id {
				best, changed = g, true
				break
			}
		}
	}
	return best
}
