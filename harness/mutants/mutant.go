package mutants

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/model"
)

// Mutant is a broken target and the invariants that must catch it.
type Mutant struct {
	Name        string
	Description string
	Expect      []model.InvariantID
	Target      harness.Target
	// Slow marks a mutant whose catch takes seconds rather than tenths of
	// a second at the default seed, nearly all of it rapid shrinking one
	// large counterexample, which is serial. A worker pool starts slow
	// mutants first, so that their shrinking overlaps the rest of the
	// work instead of running alone at the end (scopemig verify -p N).
	Slow bool
}

// Result is the outcome of running Verify on one mutant.
type Result struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Caught is true when Verify reported a violation of an expected
	// invariant.
	Caught bool `json:"caught"`
	// Invariant is the id of the first violation reported ("" if none),
	// Phase the Verify phase that found it.
	Invariant model.InvariantID `json:"invariant"`
	Phase     string            `json:"phase"`
	// Expect lists the acceptable ids, comma-separated.
	Expect string `json:"expect"`
	// CounterexampleSize is the number of lines (store, runs, steps) of the
	// minimal counterexample.
	CounterexampleSize int      `json:"counterexample_size"`
	Counterexample     []string `json:"counterexample"`
	// Keys and CrashPoints are the size of the minimal counterexample:
	// keys of its initial store, and the operation index of each faulty
	// run (harness.Violation).
	Keys        int   `json:"keys"`
	CrashPoints []int `json:"crash_points"`
	// Violation is the first violation as Verify reported it (nil when
	// none); not in JSON, which holds its figures above.
	Violation *harness.Violation `json:"-"`
	// Inconclusive lists what Verify could not judge on the mutant (an
	// escape, not a catch).
	Inconclusive   []harness.Inconclusive `json:"inconclusive"`
	Replay         string                 `json:"replay"`
	CrashStates    int                    `json:"crash_states"`
	DistinctImages int                    `json:"distinct_images"`
	Seconds        float64                `json:"seconds"`
}

// Check runs Verify on m (stopping at the first violation) and reports
// whether it was caught with an expected invariant.
func Check(ctx context.Context, m Mutant, cfg harness.Config) Result {
	cfg.StopAtFirst = true
	res := Result{Name: m.Name, Description: m.Description, Expect: joinIDs(m.Expect)}
	start := time.Now()
	rep, err := harness.Verify(ctx, m.Target, cfg)
	res.Seconds = time.Since(start).Seconds()
	res.CrashStates, res.DistinctImages = rep.CrashStates, rep.DistinctImages
	res.Inconclusive = rep.Inconclusive
	res.CrashPoints = []int{}
	if err != nil {
		res.Counterexample = []string{err.Error()}
		return res
	}
	if len(rep.Violations) == 0 {
		return res
	}
	v := rep.Violations[0]
	res.Invariant, res.Phase = v.Invariant, v.Phase
	res.Caught = slices.Contains(m.Expect, v.Invariant)
	res.Counterexample = v.Counterexample
	res.CounterexampleSize = len(v.Counterexample)
	res.Keys, res.CrashPoints, res.Violation = v.Keys, v.CrashPoints, &v
	res.Replay = v.Replay
	return res
}

func joinIDs(ids []model.InvariantID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ",")
}

// Suite returns every mutant.
func Suite() []Mutant {
	var all []Mutant
	for _, group := range [][]Mutant{
		migratorMutants(), providerMutants(), {unlockedMutant(), flagWithoutSync(), noopSystemDelete(), configUnlocked(), restoreDeleteFirst(), undecodableWrite(true)}, dirstoreMutants(), opLevelMutants(),
	} {
		all = append(all, group...)
	}
	return all
}

// ByName returns the mutant called name.
func ByName(name string) (Mutant, bool) {
	for _, m := range Suite() {
		if m.Name == name {
			return m, true
		}
	}
	return Mutant{}, false
}
