package harness

import (
	"maps"
	"strings"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/faults/opfaults"
	"github.com/scopemig/scopemig/model"
)

// opConformance is the conformance phase of an op-level target: the
// semantic checks of conformance on a store reset to empty (its
// filesystem-level single-operation crashes do not apply), then
// opSingleOps.
func (v *verifier) opConformance() (int, *failure) {
	if _, err := v.sw.e.seed(model.State{}); err != nil {
		return 1, &failure{vs: []model.Violation{{ID: model.I7, Detail: "reset the store to empty: " + err.Error()}}}
	}
	modes := v.sw.modes
	v.sw.modes = nil // no filesystem crash mode: conformance skips its crash loop
	f := v.sw.conformance()
	v.sw.modes = modes
	if f != nil {
		return 1, f
	}
	return 1, v.sw.opSingleOps()
}

// opSingleOps runs each single provider operation on a known store with no
// crash, and with a crash before and after the call, then restarts: an
// operation that returned nil must be visible after the restart (I6 at op
// level), and a restart must see the old or the new content (I7).
func (sw *sweeper) opSingleOps() *failure {
	e := sw.e
	old := map[string]string{"k1": "value-one-1234", "k2": "value-two-1234", "k3": "value-three-12"}
	plans := []faults.Injector{faults.None{}, faults.CrashAt{Op: 0}, faults.CrashAt{Op: 0, After: true}}
	for _, op := range singleOps() {
		neu := maps.Clone(old)
		op.after(neu)
		for _, inj := range plans {
			steps := []string{describe(old), op.name + " under " + inj.String() + ", then restart"}
			fail := func(id model.InvariantID, detail string) *failure {
				return &failure{vs: []model.Violation{{ID: id, Detail: detail}}, sched: steps}
			}
			d, err := e.seed(model.State{Secrets: old})
			if err != nil {
				return fail(model.I7, err.Error())
			}
			proc, p, err := e.open(d, nil)
			if err != nil {
				return fail(model.I7, "open: "+err.Error())
			}
			w := opfaults.NewProvider(p, &linkedCrash{inj: inj, proc: proc})
			err = op.apply(e.ctx, w.Provider())
			sw.states++
			st, rerr := e.observe(restartImage(d))
			switch {
			case rerr != nil:
				return fail(model.I7, "after the restart: "+rerr.Error())
			case !w.Crashed() && err == nil && !maps.Equal(st.Secrets, neu):
				return fail(model.I6, op.name+" returned nil but its effect was lost after a restart: "+strings.Join(model.Diff(model.State{Secrets: neu}, st), "; "))
			case !maps.Equal(st.Secrets, old) && !maps.Equal(st.Secrets, neu):
				return fail(model.I7, op.name+" left a third state: "+strings.Join(model.Diff(model.State{Secrets: neu}, st), "; "))
			}
		}
	}
	return nil
}
