package harness

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// machine is the rapid state machine: one simulated disk, one live process,
// and the model state it must equal after every step.
type machine struct {
	sw    *sweeper
	modes []faults.Mode
	disk  *faults.MemFS
	proc  *faults.FS
	p     secrets.Provider
	want  model.State
	log   []string     // the steps so far, values as fingerprints
	vals  model.Values // every value written so far (I8 scans for them)
	last  **failure
}

func (m *machine) fail(t *rapid.T, vs []model.Violation) {
	*m.last = &failure{vs: vs, s0: model.State{}, sched: slices.Clone(m.log)}
	t.Fatalf("%s", vs[0])
}

func (m *machine) failf(t *rapid.T, id model.InvariantID, format string, a ...any) {
	m.fail(t, []model.Violation{{ID: id, Detail: fmt.Sprintf(format, a...)}})
}

// inconclusive stops the run on a target error where no fault was
// injected: not an invariant breach.
func (m *machine) inconclusive(t *rapid.T, format string, a ...any) {
	*m.last = &failure{incKind: inconclusiveTargetError, incDetail: fmt.Sprintf(format, a...), sched: slices.Clone(m.log)}
	t.Fatalf(format, a...)
}

// fpOr prints a value's fingerprint, or <not found> when there is none.
func fpOr(v string, ok bool) string {
	if !ok {
		return "<not found>"
	}
	return secrets.Fingerprint(v)
}

func (m *machine) step(format string, a ...any) { m.log = append(m.log, fmt.Sprintf(format, a...)) }

// restart opens a new process on the disk. The disk is a crash image:
// nothing has reopened it yet, so I8 scans it first (a store that cleans
// its leftovers on open would destroy the evidence).
func (m *machine) restart(t *rapid.T) {
	if vs := m.sw.e.checkHygiene(m.disk, m.vals); len(vs) > 0 {
		m.fail(t, vs)
	}
	pr, err := m.sw.e.open(m.disk, nil)
	if err != nil {
		m.failf(t, model.I7, "restart: %v", err)
	}
	m.proc, m.p = pr.fs, pr.p
}

func (m *machine) init(t *rapid.T) {
	d, err := m.sw.e.emptyDisk()
	if err != nil {
		m.inconclusive(t, "disk: %v", err)
	}
	cfg := genConfig(rapidChooser{t})
	if err := writeConfigFile(d, fixture.ConfigPath, cfg); err != nil {
		m.inconclusive(t, "config: %v", err)
	}
	m.disk, m.want, m.vals = d.CrashImage(faults.Process, nil), model.State{Secrets: map[string]string{}, Config: cfg}, model.Values{}
	m.step("config: %s", describeConfig(cfg))
	pr, err := m.sw.e.open(m.disk, nil)
	if err != nil { // an empty store that cannot be opened: nothing crashed yet
		if f := targetFailure("open an empty store", err, model.State{}); len(f.vs) > 0 {
			m.fail(t, f.vs)
		}
		m.inconclusive(t, "open an empty store: %v", err)
	}
	m.proc, m.p = pr.fs, pr.p
}

func (m *machine) actions() map[string]func(*rapid.T) {
	sch := secrets.DefaultScheme()
	names := append(fixture.BaseNames(), "__thv_workloads_x", "BEARER_TOKEN_a", "registry-mirror", "BEARER_TOKEN")
	name := func(t *rapid.T) string { return rapid.SampledFrom(names).Draw(t, "name") }
	val := func(t *rapid.T) string {
		v := valueOf(rapid.IntRange(0, 9).Draw(t, "value"))
		m.vals.Add("", v) // its key is drawn apart
		return v
	}
	return map[string]func(*rapid.T){
		"userSet": func(t *rapid.T) {
			k, v := name(t), val(t)
			m.step("user set %q=%s", k, secrets.Fingerprint(v))
			err := secrets.NewUserProvider(m.p, sch).SetSecret(m.sw.e.ctx, k, v)
			if sch.IsSystem(k) {
				if !errors.Is(err, secrets.ErrReservedKeyName) {
					m.failf(t, model.I1, "user set of reserved %q: err %v, want ErrReservedKeyName", k, err)
				}
				return
			}
			if err != nil {
				m.inconclusive(t, "user set %q: %v", k, err)
			}
			m.want.Secrets[k] = v
		},
		"userDelete": func(t *rapid.T) {
			k := name(t)
			m.step("user delete %q", k)
			err := secrets.NewUserProvider(m.p, sch).DeleteSecret(m.sw.e.ctx, k)
			_, present := m.want.Secrets[k]
			switch {
			case sch.IsSystem(k):
				if !errors.Is(err, secrets.ErrReservedKeyName) {
					m.failf(t, model.I1, "user delete of reserved %q: err %v, want ErrReservedKeyName", k, err)
				}
			case present && err != nil:
				m.inconclusive(t, "user delete %q: %v", k, err)
			case present:
				delete(m.want.Secrets, k)
			}
		},
		"scopedSet": func(t *rapid.T) {
			scope := rapid.SampledFrom(sch.Scopes).Draw(t, "scope")
			k, v := name(t), val(t)
			m.step("%s set %q=%s", scope, k, secrets.Fingerprint(v))
			sp, err := secrets.NewScopedProvider(m.p, sch, scope)
			if err == nil {
				err = sp.SetSecret(m.sw.e.ctx, k, v)
			}
			if err != nil {
				m.inconclusive(t, "%s set %q: %v", scope, k, err)
			}
			m.want.Secrets[sch.ScopedKey(scope, k)] = v
		},
		// A delete through ScopedProvider deletes a system key: it must
		// remove exactly that key (never the bare one the reads fall back
		// to), and report a missing one as not found or not at all.
		"scopedDelete": func(t *rapid.T) {
			scope := rapid.SampledFrom(sch.Scopes).Draw(t, "scope")
			k := name(t)
			sk := sch.ScopedKey(scope, k)
			_, present := m.want.Secrets[sk]
			m.step("%s delete %q (system key %q, present=%v)", scope, k, sk, present)
			sp, _ := secrets.NewScopedProvider(m.p, sch, scope)
			err := sp.DeleteSecret(m.sw.e.ctx, k)
			switch {
			case present && err != nil:
				m.inconclusive(t, "%s delete %q: %v", scope, k, err)
			case !present && err != nil && !errors.Is(err, secrets.ErrNotFound):
				m.failf(t, model.I1, "%s delete of missing %q: err %v, want nil or secrets.ErrNotFound", scope, k, err)
			}
			delete(m.want.Secrets, sk)
		},
		"scopedGet": func(t *rapid.T) {
			scope := rapid.SampledFrom(sch.Scopes).Draw(t, "scope")
			k := name(t)
			m.step("%s get %q", scope, k)
			sp, _ := secrets.NewScopedProvider(m.p, sch, scope)
			got, err := sp.GetSecret(m.sw.e.ctx, k)
			want, ok := m.sw.e.model.Scoped(m.want, scope, k)
			if ok != (err == nil) || (ok && got != want) || (!ok && !errors.Is(err, secrets.ErrNotFound)) {
				m.failf(t, model.I1, "%s get %q = %s (err %v), want %s", scope, k, fpOr(got, err == nil), err, fpOr(want, ok))
			}
		},
		"legacyWrite": func(t *rapid.T) {
			k := rapid.SampledFrom(fixture.LegacyPrefixes()).Draw(t, "prefix") + name(t)
			v := val(t)
			m.step("old binary set %q=%s", k, secrets.Fingerprint(v))
			if err := m.p.SetSecret(m.sw.e.ctx, k, v); err != nil {
				m.inconclusive(t, "legacy set %q: %v", k, err)
			}
			m.want.Secrets[k] = v
		},
		"crash": func(t *rapid.T) {
			mode := rapid.SampledFrom(m.modes).Draw(t, "mode")
			m.step("power/process loss (%s) between operations", mode)
			m.sw.e.b.settle(m.sw.e.ctx, m.disk) // the live process's store, as a restart would see it
			m.disk = image(m.disk, mode, uint64(len(m.log)))
			m.restart(t)
		},
		"migrate": func(t *rapid.T) { m.migrate(t) },
	}
}

// migrate runs the migration with up to two drawn crashes, then to the end.
func (m *machine) migrate(t *rapid.T) {
	e := m.sw.e
	s0 := m.want.Clone()
	want := s0
	if !s0.Migrated {
		want = e.model.Migrate(s0, e.policy)
	}
	vals := valueSet(s0, want)
	e.b.settle(e.ctx, m.disk) // the live process's writes, as the migration's processes will see them
	for i, n := 0, rapid.IntRange(0, 2).Draw(t, "crashes"); i < n; i++ {
		mode := rapid.SampledFrom(m.modes).Draw(t, "mode")
		n, _ := e.run(m.disk.Clone(), nil) // this run's operation count: crash points are drawn in [0, n]
		inj := faults.CrashAt{Op: rapid.IntRange(0, n).Draw(t, "op"), Mode: mode, Seed: uint64(len(m.log))}
		m.step("migrate, %s", inj)
		_, _ = e.run(m.disk, inj)
		m.disk = image(m.disk, mode, inj.Seed)
		m.sw.states++
		vs := e.checkHygiene(m.disk, vals)
		st, rerr := e.observe(m.disk)
		switch {
		case rerr != nil:
			vs = append(vs, e.checkImage(s0, st, rerr)...)
		case s0.Migrated: // one-shot: legacy keys written since stay put
			for _, d := range e.model.Diff(s0, st) {
				vs = append(vs, model.Violation{ID: model.I5, Detail: "a run on a migrated store changed it: " + d})
			}
		default:
			vs = append(vs, e.checkImage(s0, st, rerr)...)
		}
		if len(vs) > 0 {
			m.fail(t, vs)
		}
	}
	m.step("migrate to the end")
	if _, err := e.run(m.disk, nil); err != nil {
		m.failf(t, model.I4, "complete run: %v", err)
	}
	m.want = want
	m.restart(t)
}

// check compares the live store with the model: raw content, flag, the user
// view and every scope's listing.
func (m *machine) check(t *rapid.T) {
	e := m.sw.e
	got, err := dump(e.ctx, m.p)
	if err != nil {
		m.inconclusive(t, "read: %v", err)
	}
	flag, err := fixture.Flag(m.proc).Migrated(e.ctx)
	if err != nil {
		m.inconclusive(t, "flag: %v", err)
	}
	cfg, err := readConfigFile(m.proc, fixture.ConfigPath)
	if err != nil {
		m.failf(t, model.I9, "config: %v", err)
	}
	st := model.State{Secrets: got, Migrated: flag, Config: cfg}
	if vs := e.model.CheckConfig(m.want.Config, cfg); len(vs) > 0 {
		m.fail(t, vs)
	}
	if d := e.model.Diff(m.want, st); len(d) > 0 {
		m.failf(t, model.I6, "store differs from the model: %s", d[0])
	}
	sch := secrets.DefaultScheme()
	ul, err := secrets.NewUserProvider(m.p, sch).ListSecrets(e.ctx)
	if err != nil || !slices.Equal(descKeys(ul), slices.Sorted(maps.Keys(e.model.User(m.want)))) {
		m.failf(t, model.I1, "user listing %v (err %v) differs from the model", descKeys(ul), err)
	}
	for _, scope := range sch.Scopes {
		sp, _ := secrets.NewScopedProvider(m.p, sch, scope)
		l, err := sp.ListSecrets(e.ctx)
		if err != nil || !slices.Equal(descKeys(l), slices.Sorted(maps.Keys(e.model.ScopedList(m.want, scope)))) {
			m.failf(t, model.I1, "%s listing %v (err %v) differs from the model", scope, descKeys(l), err)
		}
	}
}

func descKeys(ds []secrets.SecretDescription) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Key
	}
	slices.Sort(out)
	return out
}

// machineProperty runs the state machine.
func (sw *sweeper) machineProperty(modes []faults.Mode, last **failure) func(*rapid.T) {
	return func(t *rapid.T) { (&machine{sw: sw, modes: modes, last: last}).run(t) }
}

// run runs one case of the state machine: a drawn sequence of actions,
// each followed by check.
func (m *machine) run(t *rapid.T) {
	m.init(t)
	acts := m.actions()
	acts[""] = m.check
	t.Repeat(acts)
}
