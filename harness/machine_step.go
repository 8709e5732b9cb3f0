package harness

import (
	"fmt"
	"slices"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// Kinds of state-machine steps (mstep.Kind), one per action.
const (
	stepUserSet       = "userSet"
	stepUserDelete    = "userDelete"
	stepScopedSet     = "scopedSet"
	stepScopedDelete  = "scopedDelete"
	stepScopedGet     = "scopedGet"
	stepLegacyWrite   = "legacyWrite"
	stepQuarantineSet = "quarantineSet"
	stepCrash         = "crash"
	stepMigrate       = "migrate"
	stepRestore       = "restore"
	stepDrop          = "drop"
)

// mstep is one step of the state machine as data: what rapid drew for it,
// with every crash point resolved to an operation index, so that a list of
// steps replays without rapid (machineCase) and a step can be dropped.
type mstep struct {
	Kind  string
	Scope string // scoped steps
	Key   string // the name or key the step reads or writes
	As    string // restore: the explicit destination ("" for the default)
	Val   int    // written value: fixture.ValueOf(Val)
	// Mode and Seed: the crash step's image.
	Mode faults.Mode
	Seed uint64
	// Crashes are the faulty runs of a migrate step (then a complete run),
	// or the crash inside a restore or drop (at most one).
	Crashes []faults.CrashAt
}

// machineCase is a state-machine counterexample as data: the config file
// the machine started with and the steps (each followed by the check).
type machineCase struct {
	Config model.Config
	Steps  []mstep
}

func (c machineCase) clone() machineCase {
	out := machineCase{Config: c.Config, Steps: slices.Clone(c.Steps)}
	for i := range out.Steps {
		out.Steps[i].Crashes = slices.Clone(out.Steps[i].Crashes)
	}
	return out
}

// without returns c without step i.
func (c machineCase) without(i int) machineCase {
	out := c.clone()
	out.Steps = slices.Delete(out.Steps, i, i+1)
	return out
}

// replayMachine runs case c from scratch with no rapid: the machine's
// init on c's config, then each step and the check after it. It returns
// the first failure (nil when c passes).
func (sw *sweeper) replayMachine(c machineCase) (f *failure) {
	m := &machine{sw: sw, modes: faults.Modes()}
	defer func() {
		if p := recover(); p != nil {
			f = &failure{incKind: inconclusivePanic, incDetail: fmt.Sprint(p), sched: slices.Clone(m.log)}
		}
	}()
	if f := m.start(c.Config); f != nil {
		return m.withCase(f)
	}
	for i := range c.Steps {
		st := c.Steps[i]
		if f := m.exec(nil, &st); f != nil {
			return m.withCase(f)
		}
		if f := m.check(); f != nil {
			return m.withCase(f)
		}
	}
	return nil
}

// minimizeMachine makes a state-machine counterexample 1-minimal in its
// steps: it drops single steps while the case still violates the same
// invariant (the first of f's), until no single step can be dropped.
// Deterministic; every candidate is replayed from scratch.
func (sw *sweeper) minimizeMachine(f *failure) *failure {
	if f == nil || f.mc == nil || len(f.vs) == 0 {
		return f
	}
	id := f.vs[0].ID
	best := f
	for changed := true; changed && sw.e.ctx.Err() == nil; {
		changed = false
		for i := range best.mc.Steps {
			g := sw.replayMachine(best.mc.without(i))
			if g != nil && g.mc != nil && slices.ContainsFunc(g.vs, func(v model.Violation) bool { return v.ID == id }) {
				slices.SortStableFunc(g.vs, func(a, b model.Violation) int { return boolInt(b.ID == id) - boolInt(a.ID == id) })
				best, changed = g, true
				break
			}
		}
	}
	return best
}
