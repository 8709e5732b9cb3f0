package harness

import "context"

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
