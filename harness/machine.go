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
// and the model state it must equal after every step. Its steps are data
// (mstep): rapid draws them, exec runs them, and a recorded list of steps
// replays without rapid (replayMachine).
type machine struct {
	sw    *sweeper
	modes []faults.Mode
	disk  *faults.MemFS
	proc  *faults.FS
	p     secrets.Provider
	want  model.State
	cfg   model.Config // the config file the machine started with
	done  []mstep      // the steps run so far (the failing one included)
	log   []string     // the steps so far, values as fingerprints
	vals  model.Values // every value written so far (I8 scans for them)
	last  **failure
}

func violationf(id model.InvariantID, format string, a ...any) *failure {
	return &failure{vs: []model.Violation{{ID: id, Detail: fmt.Sprintf(format, a...)}}}
}

// inconclusivef is a target error where no fault was injected: not an
// invariant breach.
func inconclusivef(format string, a ...any) *failure {
	return &failure{incKind: inconclusiveTargetError, incDetail: fmt.Sprintf(format, a...)}
}

// withCase completes f with the machine's steps: the log lines and the
// case as data.
func (m *machine) withCase(f *failure) *failure {
	f.s0 = model.State{}
	f.sched = slices.Clone(m.log)
	f.mc = &machineCase{Config: m.cfg, Steps: slices.Clone(m.done)}
	*f.mc = f.mc.clone()
	return f
}

// stop records f as the run's failure and ends the rapid case.
func (m *machine) stop(t *rapid.T, f *failure) {
	*m.last = m.withCase(f)
	if len(f.vs) > 0 {
		t.Fatalf("%s", f.vs[0])
	}
	t.Fatalf("%s", f.incDetail)
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
func (m *machine) restart() *failure {
	if vs := m.sw.e.checkHygiene(m.disk, m.vals); len(vs) > 0 {
		return &failure{vs: vs}
	}
	pr, err := m.sw.e.open(m.disk, nil)
	if err != nil {
		return violationf(model.I7, "restart: %v", err)
	}
	m.proc, m.p = pr.fs, pr.p
	return nil
}

// start sets the machine up: an empty store and the config file cfg.
func (m *machine) start(cfg model.Config) *failure {
	m.cfg = cfg
	d, err := m.sw.e.emptyDisk()
	if err != nil {
		return inconclusivef("disk: %v", err)
	}
	if err := writeConfigFile(d, fixture.ConfigPath, cfg); err != nil {
		return inconclusivef("config: %v", err)
	}
	m.disk, m.want, m.vals = d.CrashImage(faults.Process, nil), model.State{Secrets: map[string]string{}, Config: cfg}, model.Values{}
	m.step("config: %s", describeConfig(cfg))
	pr, err := m.sw.e.open(m.disk, nil)
	if err != nil { // an empty store that cannot be opened: nothing crashed yet
		if f := targetFailure("open an empty store", err, model.State{}); len(f.vs) > 0 {
			return f
		}
		return inconclusivef("open an empty store: %v", err)
	}
	m.proc, m.p = pr.fs, pr.p
	return nil
}

// machineNames are the names the machine's steps use.
func machineNames() []string {
	return append(fixture.BaseNames(), "__thv_workloads_x", "BEARER_TOKEN_a", "registry-mirror", "BEARER_TOKEN")
}

// actions draws each step's data and runs it.
func (m *machine) actions() map[string]func(*rapid.T) {
	sch := secrets.DefaultScheme()
	names := machineNames()
	name := func(t *rapid.T) string { return rapid.SampledFrom(names).Draw(t, "name") }
	val := func(t *rapid.T) int { return rapid.IntRange(0, 9).Draw(t, "value") }
	scope := func(t *rapid.T) string { return rapid.SampledFrom(sch.Scopes).Draw(t, "scope") }
	run := func(t *rapid.T, st mstep) {
		if f := m.exec(t, &st); f != nil {
			m.stop(t, f)
		}
	}
	return map[string]func(*rapid.T){
		stepUserSet:      func(t *rapid.T) { run(t, mstep{Kind: stepUserSet, Key: name(t), Val: val(t)}) },
		stepUserDelete:   func(t *rapid.T) { run(t, mstep{Kind: stepUserDelete, Key: name(t)}) },
		stepScopedSet:    func(t *rapid.T) { run(t, mstep{Kind: stepScopedSet, Scope: scope(t), Key: name(t), Val: val(t)}) },
		stepScopedDelete: func(t *rapid.T) { run(t, mstep{Kind: stepScopedDelete, Scope: scope(t), Key: name(t)}) },
		stepScopedGet:    func(t *rapid.T) { run(t, mstep{Kind: stepScopedGet, Scope: scope(t), Key: name(t)}) },
		stepLegacyWrite: func(t *rapid.T) {
			k := rapid.SampledFrom(fixture.LegacyPrefixes()).Draw(t, "prefix") + name(t)
			run(t, mstep{Kind: stepLegacyWrite, Key: k, Val: val(t)})
		},
		stepQuarantineSet: func(t *rapid.T) {
			orig := rapid.SampledFrom(quarantineOrigins()).Draw(t, "original")
			k := model.QuarantineKey(orig, rapid.IntRange(1, 3).Draw(t, "slot"))
			run(t, mstep{Kind: stepQuarantineSet, Key: k, Val: val(t)})
		},
		stepCrash: func(t *rapid.T) {
			run(t, mstep{Kind: stepCrash, Mode: rapid.SampledFrom(m.modes).Draw(t, "mode"), Seed: uint64(len(m.log))})
		},
		stepMigrate: func(t *rapid.T) { run(t, mstep{Kind: stepMigrate}) },
		stepRestore: func(t *rapid.T) {
			k := m.drawQuarantineKey(t)
			as := rapid.SampledFrom([]string{"", "", "", "registry-mirror", "__thv_workloads_BEARER_TOKEN_a"}).Draw(t, "as") // held by user and scoped writes
			run(t, mstep{Kind: stepRestore, Key: k, As: as})
		},
		stepDrop: func(t *rapid.T) { run(t, mstep{Kind: stepDrop, Key: m.drawQuarantineKey(t)}) },
	}
}

// exec runs step st. With t (a rapid run) it draws the crash points of a
// migrate, restore or drop step as it goes (each relative to the operation
// count of that run uncrashed) and records them in st; without t (a
// replay) it uses st's.
func (m *machine) exec(t *rapid.T, st *mstep) *failure {
	defer func() { m.done = append(m.done, *st) }()
	switch st.Kind {
	case stepUserSet, stepUserDelete, stepScopedSet, stepScopedDelete, stepScopedGet, stepLegacyWrite, stepQuarantineSet:
		return m.execOp(st)
	case stepCrash:
		m.step("power/process loss (%s) between operations", st.Mode)
		m.sw.e.b.settle(m.sw.e.ctx, m.disk) // the live process's store, as a restart would see it
		m.disk = image(m.disk, st.Mode, st.Seed)
		return m.restart()
	case stepMigrate:
		return m.migrate(t, st)
	case stepRestore, stepDrop:
		return m.quarantineOp(t, st)
	}
	return inconclusivef("unknown step %q", st.Kind)
}

// execOp runs one provider operation of the live process.
func (m *machine) execOp(st *mstep) *failure {
	sch := secrets.DefaultScheme()
	ctx := m.sw.e.ctx
	k, v := st.Key, fixture.ValueOf(st.Val)
	switch st.Kind {
	case stepUserSet:
		m.vals.Add(k, v)
		m.step("user set %q=%s", k, secrets.Fingerprint(v))
		err := secrets.NewUserProvider(m.p, sch).SetSecret(ctx, k, v)
		if sch.IsSystem(k) {
			if !errors.Is(err, secrets.ErrReservedKeyName) {
				return violationf(model.I1, "user set of reserved %q: err %v, want ErrReservedKeyName", k, err)
			}
			return nil
		}
		if err != nil {
			return inconclusivef("user set %q: %v", k, err)
		}
		m.want.Secrets[k] = v
	case stepUserDelete:
		m.step("user delete %q", k)
		err := secrets.NewUserProvider(m.p, sch).DeleteSecret(ctx, k)
		_, present := m.want.Secrets[k]
		switch {
		case sch.IsSystem(k):
			if !errors.Is(err, secrets.ErrReservedKeyName) {
				return violationf(model.I1, "user delete of reserved %q: err %v, want ErrReservedKeyName", k, err)
			}
		case present && err != nil:
			return inconclusivef("user delete %q: %v", k, err)
		case present:
			delete(m.want.Secrets, k)
		}
	case stepScopedSet:
		m.vals.Add(k, v)
		m.step("%s set %q=%s", st.Scope, k, secrets.Fingerprint(v))
		sp, err := secrets.NewScopedProvider(m.p, sch, st.Scope)
		if err == nil {
			err = sp.SetSecret(ctx, k, v)
		}
		if err != nil {
			return inconclusivef("%s set %q: %v", st.Scope, k, err)
		}
		m.want.Secrets[sch.ScopedKey(st.Scope, k)] = v
	case stepScopedDelete:
		// A delete through ScopedProvider deletes a system key: it must
		// remove exactly that key (never the bare one the reads fall back
		// to), and report a missing one as not found or not at all.
		sk := sch.ScopedKey(st.Scope, k)
		_, present := m.want.Secrets[sk]
		m.step("%s delete %q (system key %q, present=%v)", st.Scope, k, sk, present)
		sp, _ := secrets.NewScopedProvider(m.p, sch, st.Scope)
		err := sp.DeleteSecret(ctx, k)
		switch {
		case present && err != nil:
			return inconclusivef("%s delete %q: %v", st.Scope, k, err)
		case !present && err != nil && !errors.Is(err, secrets.ErrNotFound):
			return violationf(model.I1, "%s delete of missing %q: err %v, want nil or secrets.ErrNotFound", st.Scope, k, err)
		}
		delete(m.want.Secrets, sk)
	case stepScopedGet:
		m.step("%s get %q", st.Scope, k)
		sp, _ := secrets.NewScopedProvider(m.p, sch, st.Scope)
		got, err := sp.GetSecret(ctx, k)
		want, ok := m.sw.e.model.Scoped(m.want, st.Scope, k)
		if ok != (err == nil) || (ok && got != want) || (!ok && !errors.Is(err, secrets.ErrNotFound)) {
			return violationf(model.I1, "%s get %q = %s (err %v), want %s", st.Scope, k, fpOr(got, err == nil), err, fpOr(want, ok))
		}
	case stepLegacyWrite, stepQuarantineSet:
		m.vals.Add(k, v)
		who := "old binary"
		if st.Kind == stepQuarantineSet {
			who = "an earlier migration's quarantine:"
		}
		m.step("%s set %q=%s", who, k, secrets.Fingerprint(v))
		if err := m.p.SetSecret(ctx, k, v); err != nil {
			return inconclusivef("%s set %q: %v", who, k, err)
		}
		m.want.Secrets[k] = v
	}
	return nil
}

// migrate runs the migration with up to two drawn crashes, then to the end.
func (m *machine) migrate(t *rapid.T, st *mstep) *failure {
	e := m.sw.e
	s0 := m.want.Clone()
	want := s0
	if !s0.Migrated {
		want = e.model.Migrate(s0, e.policy)
	}
	vals := valueSet(s0, want)
	e.b.settle(e.ctx, m.disk) // the live process's writes, as the migration's processes will see them
	crashes := len(st.Crashes)
	if t != nil {
		crashes = rapid.IntRange(0, 2).Draw(t, "crashes")
	}
	for i := 0; i < crashes; i++ {
		var inj faults.CrashAt
		if t != nil {
			mode := rapid.SampledFrom(m.modes).Draw(t, "mode")
			n, _ := e.run(m.disk.Clone(), nil) // this run's operation count: crash points are drawn in [0, n]
			inj = faults.CrashAt{Op: rapid.IntRange(0, n).Draw(t, "op"), Mode: mode, Seed: uint64(len(m.log))}
			st.Crashes = append(st.Crashes, inj)
		} else {
			inj = st.Crashes[i]
		}
		m.step("migrate, %s", inj)
		_, _ = e.run(m.disk, inj)
		m.disk = image(m.disk, inj.Mode, inj.Seed)
		m.sw.states++
		vs := e.checkHygiene(m.disk, vals)
		got, rerr := e.observe(m.disk)
		switch {
		case rerr != nil:
			vs = append(vs, e.checkImage(s0, got, rerr)...)
		case s0.Migrated: // one-shot: legacy keys written since stay put
			for _, d := range e.model.Diff(s0, got) {
				vs = append(vs, model.Violation{ID: model.I5, Detail: "a run on a migrated store changed it: " + d})
			}
		default:
			vs = append(vs, e.checkImage(s0, got, rerr)...)
		}
		if len(vs) > 0 {
			return &failure{vs: vs}
		}
	}
	m.step("migrate to the end")
	if _, err := e.run(m.disk, nil); err != nil {
		return violationf(model.I4, "complete run: %v", err)
	}
	m.want = want
	return m.restart()
}

// check compares the live store with the model: raw content, flag, the user
// view and every scope's listing.
func (m *machine) check() *failure {
	e := m.sw.e
	got, err := dump(e.ctx, m.p)
	if err != nil {
		return inconclusivef("read: %v", err)
	}
	flag, err := fixture.Flag(m.proc).Migrated(e.ctx)
	if err != nil {
		return inconclusivef("flag: %v", err)
	}
	cfg, err := readConfigFile(m.proc, fixture.ConfigPath)
	if err != nil {
		return violationf(model.I9, "config: %v", err)
	}
	st := model.State{Secrets: got, Migrated: flag, Config: cfg}
	if vs := e.model.CheckConfig(m.want.Config, cfg); len(vs) > 0 {
		return &failure{vs: vs}
	}
	if d := e.model.Diff(m.want, st); len(d) > 0 {
		return violationf(model.I6, "store differs from the model: %s", d[0])
	}
	sch := secrets.DefaultScheme()
	ul, err := secrets.NewUserProvider(m.p, sch).ListSecrets(e.ctx)
	if err != nil || !slices.Equal(descKeys(ul), slices.Sorted(maps.Keys(e.model.User(m.want)))) {
		return violationf(model.I1, "user listing %v (err %v) differs from the model", descKeys(ul), err)
	}
	for _, scope := range sch.Scopes {
		sp, _ := secrets.NewScopedProvider(m.p, sch, scope)
		l, err := sp.ListSecrets(e.ctx)
		if err != nil || !slices.Equal(descKeys(l), slices.Sorted(maps.Keys(e.model.ScopedList(m.want, scope)))) {
			return violationf(model.I1, "%s listing %v (err %v) differs from the model", scope, descKeys(l), err)
		}
	}
	return nil
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
	if f := m.start(fixture.GenConfig(fixture.RapidChooser{T: t})); f != nil {
		m.stop(t, f)
	}
	acts := m.actions()
	acts[""] = func(t *rapid.T) {
		if f := m.check(); f != nil {
			m.stop(t, f)
		}
	}
	t.Repeat(acts)
}
