package harness

import (
	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// opMachineProperty is the rapid state machine of an op-level target: the
// same user, scoped and old-binary operations as the filesystem machine,
// checked against the model after every step, but restarts are process
// crashes only (the store's medium is not simulated, so nothing is claimed
// about power loss): I6 reads "an operation that returned is visible after
// a restart". Migrations crash at drawn provider calls, before or after
// them. The store is reset to empty first.
func (sw *sweeper) opMachineProperty(last **failure) func(*rapid.T) {
	return func(t *rapid.T) {
		m := &machine{sw: sw, modes: []faults.Mode{faults.Process}, last: last}
		d, err := sw.e.seed(model.State{})
		if err != nil {
			m.inconclusive(t, "reset the store to empty: %v", err)
		}
		m.disk, m.want, m.vals = d, model.State{Secrets: map[string]string{}}, map[string]bool{}
		m.restart(t)
		acts := m.actions()
		acts["migrate"] = func(t *rapid.T) { opMigrate(m, t) }
		acts[""] = m.check
		t.Repeat(acts)
	}
}

// opMigrate runs the migration with up to two drawn op-level crashes, each
// followed by a restart checked against the model, then to the end.
func opMigrate(m *machine, t *rapid.T) {
	e := m.sw.e
	s0 := m.want.Clone()
	want := s0
	if !s0.Migrated {
		want = e.model.Migrate(s0, e.policy)
	}
	for i, n := 0, rapid.IntRange(0, 2).Draw(t, "crashes"); i < n; i++ {
		inj := faults.CrashAt{
			Op:    rapid.IntRange(0, 30).Draw(t, "call"),
			After: rapid.Bool().Draw(t, "after"),
		}
		m.step("migrate, %s", inj)
		e.opRun(m.disk, inj)
		m.disk = restartImage(m.disk)
		m.sw.states++
		st, rerr := e.observe(m.disk)
		var vs []model.Violation
		switch {
		case rerr != nil:
			vs = e.checkImage(s0, st, rerr)
		case s0.Migrated: // one-shot: legacy keys written since stay put
			for _, d := range model.Diff(s0, st) {
				vs = append(vs, model.Violation{ID: model.I5, Detail: "a run on a migrated store changed it: " + d})
			}
		default:
			vs = e.checkImage(s0, st, rerr)
		}
		if len(vs) > 0 {
			m.fail(t, vs)
		}
	}
	m.step("migrate to the end")
	if out := e.opRun(m.disk, nil); out.err != nil {
		m.failf(t, model.I4, "complete run: %v", out.err)
	}
	m.want = want
	m.restart(t)
}

func (v *verifier) opStateMachine() (int, *failure) {
	var last *failure
	failed, logs := v.checkRapid("statemachine", v.cfg.Seed+1, v.sw.opMachineProperty(&last))
	return v.cfg.Checks, rapidFailure(failed, last, logs)
}
