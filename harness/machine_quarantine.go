package harness

import (
	"context"
	"errors"
	"maps"
	"strconv"

	"github.com/spf13/afero"
	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// projectRestore is the project's own restore: migrate.RestoreQuarantined,
// one Update transaction (a provider without secrets.Updater is refused
// with migrate.ErrNotTransactional, writing nothing).
func projectRestore(ctx context.Context, _ afero.Fs, p secrets.Provider, key, as string) error {
	u, _ := p.(secrets.Updater)
	_, err := migrate.RestoreQuarantined(ctx, u, secrets.Scheme{}, key, as, secrets.Fingerprinter{})
	return err
}

// projectDrop is the project's own drop: migrate.DropQuarantined.
func projectDrop(ctx context.Context, _ afero.Fs, p secrets.Provider, key string) error {
	u, _ := p.(secrets.Updater)
	_, err := migrate.DropQuarantined(ctx, u, secrets.Scheme{}, key, secrets.Fingerprinter{})
	return err
}

// quarantineOrigins are the legacy keys (and a key that maps to no scope)
// the machine's quarantine slots stand for: the first two migrate to
// scoped keys the machine's scoped writes also reach.
func quarantineOrigins() []string { return []string{"BEARER_TOKEN_a", "REGISTRY_OAUTH_x", "plain-x"} }

// drawQuarantineKey draws the key of a restore or drop: mostly one the
// store holds in the quarantine scope, else a slot of an origin (perhaps
// missing) or a key outside the scope (refused).
func (m *machine) drawQuarantineKey(t *rapid.T) string {
	var held []string
	for _, k := range m.want.Clone().Keys() {
		if model.IsQuarantine(k) {
			held = append(held, k)
		}
	}
	if len(held) > 0 && rapid.IntRange(0, 3).Draw(t, "held") > 0 {
		return rapid.SampledFrom(held).Draw(t, "quarantine key")
	}
	other := []string{"__thv_workloads_BEARER_TOKEN_a", "__thv_legacy_"}
	for _, o := range quarantineOrigins() { // an original key names its one slot (or is ambiguous, or names none)
		other = append(other, o, model.QuarantineKey(o, 1), model.QuarantineKey(o, 2))
	}
	return rapid.SampledFrom(other).Draw(t, "quarantine key")
}

// runQuarantine runs a restore or drop step in a new process on d under
// inj, and returns the process's operation count and the step's error.
// The process is over when it returns (d settled).
func (m *machine) runQuarantine(d *faults.MemFS, inj faults.Injector, st *mstep) (int, error) {
	e := m.sw.e
	defer e.b.settle(e.ctx, d)
	pr, err := e.open(d, inj)
	if err != nil {
		return pr.ops(), err
	}
	restore, drop := e.target.Restore, e.target.Drop
	if restore == nil {
		restore = projectRestore
	}
	if drop == nil {
		drop = projectDrop
	}
	if st.Kind == stepRestore {
		err = restore(e.ctx, pr.fs, pr.p, st.Key, st.As)
	} else {
		err = drop(e.ctx, pr.fs, pr.p, st.Key)
	}
	return pr.ops(), err
}

// quarantineOp runs `legacy restore` or `legacy drop` in a process of its
// own, perhaps crashed inside (one crash, drawn relative to the operation
// count of the step run uncrashed, in any of the machine's modes). The
// model (model.Restore, model.Drop) gives the content after it; with a
// crash, the image must hold the content before or after (I7), must have
// lost no value but the one a drop deletes (I2), and must hold the content
// after when the step returned before the crash point (I6).
func (m *machine) quarantineOp(t *rapid.T, st *mstep) *failure {
	e := m.sw.e
	old := m.want.Clone()
	var neu model.State
	var outcome model.QuarantineOutcome
	if st.Kind == stepRestore {
		neu, outcome = e.model.Restore(old, st.Key, st.As)
	} else {
		neu, outcome = e.model.Drop(old, st.Key)
	}
	what := "legacy drop " + quote(st.Key)
	if st.Kind == stepRestore {
		what = "legacy restore " + quote(st.Key)
		if st.As != "" {
			what += " --as " + quote(st.As)
		}
	}
	e.b.settle(e.ctx, m.disk) // the live process's writes, as the step's process will see them
	if t != nil && rapid.IntRange(0, 1).Draw(t, "crashes") == 1 {
		mode := rapid.SampledFrom(m.modes).Draw(t, "mode")
		n, _ := m.runQuarantine(m.disk.Clone(), nil, st) // this run's operation count
		st.Crashes = []faults.CrashAt{{Op: rapid.IntRange(0, n).Draw(t, "op"), Mode: mode, Seed: uint64(len(m.log))}}
	}
	if len(st.Crashes) == 0 {
		m.step("%s (model: %s)", what, outcome)
		_, err := m.runQuarantine(m.disk, nil, st)
		switch {
		case outcome.Wrote() && errors.Is(err, migrate.ErrNotTransactional):
			// a provider without Update: the project's restore and drop
			// refuse it and write nothing
		case outcome.Wrote() && err != nil:
			return inconclusivef("%s: %v", what, err)
		case outcome.Wrote():
			m.want = neu
		}
		return m.restart()
	}
	inj := st.Crashes[0]
	m.step("%s (model: %s), %s", what, outcome, inj)
	ops, err := m.runQuarantine(m.disk, inj, st)
	returned := inj.Op >= ops && err == nil
	m.disk = image(m.disk, inj.Mode, inj.Seed)
	m.sw.states++
	if vs := e.checkHygiene(m.disk, m.vals); len(vs) > 0 {
		return &failure{vs: vs}
	}
	got, rerr := e.observe(m.disk)
	if rerr != nil {
		return violationf(model.I7, "after a crash inside %s: %v", what, rerr)
	}
	switch {
	case maps.Equal(got.Secrets, neu.Secrets):
		m.want.Secrets = neu.Secrets
	case maps.Equal(got.Secrets, old.Secrets):
		if returned && outcome.Wrote() && !errors.Is(err, migrate.ErrNotTransactional) {
			return violationf(model.I6, "%s returned, then a crash (%s) took it back: %s", what, inj.Mode, model.Diff(neu, got)[0])
		}
	default:
		if lost := lostValue(old, got, st); lost != "" {
			return violationf(model.I2, "a crash inside %s lost the value of %q (%s): the store holds neither the content before nor after it", what, lost, secrets.Fingerprint(old.Secrets[lost]))
		}
		return violationf(model.I7, "a crash inside %s left a third state: %s", what, model.Diff(neu, got)[0])
	}
	return m.restart()
}

// lostValue returns a key of old whose value no key of got holds (the key
// a drop deletes aside), or "".
func lostValue(old, got model.State, st *mstep) string {
	held := map[string]bool{}
	for _, v := range got.Secrets {
		held[v] = true
	}
	dropped, _ := model.ResolveQuarantine(old, st.Key) // the slot a drop deletes
	for _, k := range old.Keys() {
		if st.Kind == stepDrop && k == dropped {
			continue
		}
		if !held[old.Secrets[k]] {
			return k
		}
	}
	return ""
}

// quote quotes a key for a step line.
func quote(k string) string { return strconv.Quote(k) }
