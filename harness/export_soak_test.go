package harness

import (
	"context"
	"slices"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// SoakCaseOutcome is what the soak tests compare of one case run.
type SoakCaseOutcome struct {
	Index, States, Distinct int
	Failure                 *Artifact
}

// RunSoakCasesForTest runs the cases first, first+1, … first+n-1 of the
// soak cfg on one runner, back to back (as a Soak worker runs a store
// group: the store and the verdicts of its images shared), with the
// verdict memo off when noCache.
func RunSoakCasesForTest(ctx context.Context, t Target, cfg SoakConfig, first, n int, noCache bool) ([]SoakCaseOutcome, error) {
	cfg = cfg.withDefaults()
	r := newSoakRunner(ctx, t, cfg)
	r.noCache = noCache
	var out []SoakCaseOutcome
	for i := first; i < first+n; i++ {
		res, err := r.run(cfg.Seed, i)
		if err != nil {
			return out, err
		}
		out = append(out, SoakCaseOutcome{Index: i, States: res.states, Distinct: res.distinct, Failure: res.art})
	}
	return out, nil
}

// CasesPerStore is casesPerStore.
const CasesPerStore = casesPerStore

// SoakMinimal is the minimal counterexample of a failing soak case as
// data: its store and its resolved faulty runs.
type SoakMinimal struct {
	t     Target
	cfg   SoakConfig
	s0    model.State
	steps []soakStep
	ID    model.InvariantID
}

// SoakMinimalOf runs case index of the soak cfg (shrinking included) and
// returns its minimal counterexample and artifact; nil when it passes.
func SoakMinimalOf(ctx context.Context, t Target, cfg SoakConfig, index int) (*SoakMinimal, *Artifact, error) {
	cfg = cfg.withDefaults()
	res, err := newSoakRunner(ctx, t, cfg).run(cfg.Seed, index)
	if err != nil || res.f == nil {
		return nil, nil, err
	}
	return &SoakMinimal{t: t, cfg: cfg, s0: res.f.s0.Clone(), steps: slices.Clone(res.f.soak), ID: res.f.vs[0].ID}, res.art, nil
}

// Keys are the keys of the minimal store; Steps the number of its faulty
// runs.
func (m *SoakMinimal) Keys() []string { return m.s0.Keys() }
func (m *SoakMinimal) Steps() int     { return len(m.steps) }

// Fails runs the minimal case without key dropKey ("" drops none) and
// without faulty run dropStep (-1 drops none) from scratch (a fresh runner,
// no memo) and reports whether it still fails with the same invariant.
func (m *SoakMinimal) Fails(ctx context.Context, dropKey string, dropStep int) (bool, error) {
	r := newSoakRunner(ctx, m.t, m.cfg)
	r.noCache = true
	s0 := m.s0.Clone()
	if dropKey != "" {
		delete(s0.Secrets, dropKey)
	}
	steps := slices.Clone(m.steps)
	if dropStep >= 0 {
		steps = slices.Delete(steps, dropStep, dropStep+1)
	}
	sw := &sweeper{e: r.e, depth: m.cfg.Depth, memo: memo{off: true}}
	f, err := r.exec(sw, s0, steps, nil, -1)
	return f != nil && len(f.vs) > 0 && f.vs[0].ID == m.ID, err
}

// RunSoakScheduleForTest runs the store of case index of the soak cfg
// under the given faulty runs (faults.ParseSchedule strings, run as they
// are: no scaling), then a complete run, from scratch with no memo. It
// returns the crash states checked and the first violation's invariant
// ("" when none).
func RunSoakScheduleForTest(ctx context.Context, t Target, cfg SoakConfig, index int, schedule []string) (int, model.InvariantID, error) {
	cfg = cfg.withDefaults()
	r := newSoakRunner(ctx, t, cfg)
	r.noCache = true
	st, _, _, err := r.plan(cfg.Seed, index)
	if err != nil {
		return 0, "", err
	}
	var steps []soakStep
	for _, s := range schedule {
		inj, err := faults.ParseSchedule(s)
		if err != nil {
			return 0, "", err
		}
		c, crash := inj.(faults.CrashAt)
		steps = append(steps, soakStep{inj: inj, crash: crash, c: c, fixed: true})
	}
	sw := &sweeper{e: r.e, depth: cfg.Depth, memo: memo{off: true}}
	f, err := r.exec(sw, st.s0, steps, nil, -1)
	if err != nil || f == nil {
		return sw.states, "", err
	}
	return sw.states, f.vs[0].ID, nil
}
