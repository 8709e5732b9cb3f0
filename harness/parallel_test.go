package harness_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
)

// untimed is rep without its wall-clock figures (the only fields allowed
// to differ between two runs of the same seed).
func untimed(rep harness.Report) harness.Report {
	rep.Seconds = 0
	rep.Phases = append([]harness.Phase(nil), rep.Phases...)
	for i := range rep.Phases {
		rep.Phases[i].Seconds = 0
	}
	return rep
}

// parallelCases are the two built-in targets (every phase passes) and the
// named mutants: delete-before-write is caught by the property phase
// (rapid shards), flag-without-sync by the sweeps (store shards,
// shrinking), unlocked-rmw by the concurrency phase.
func parallelCases(t *testing.T, names ...string) []harness.Target {
	t.Helper()
	targets := harness.Targets()
	for _, name := range names {
		m, ok := mutants.ByName(name)
		require.True(t, ok, name)
		targets = append(targets, m.Target)
	}
	return targets
}

// Verify's report, crash-state and distinct-image counts and the minimal
// counterexample included, is the same for 1 and 3 workers with the same
// seed.
func TestVerifyReportIndependentOfWorkers(t *testing.T) {
	for _, target := range parallelCases(t, "delete-before-write", "flag-without-sync", "unlocked-rmw") {
		t.Run(target.Name, func(t *testing.T) {
			cfg := harness.Config{Seed: 7, Checks: 10, Stores: 2, MaxKeys: 8, StopAtFirst: true}
			if testing.Short() {
				cfg.Checks, cfg.Stores, cfg.Depth = 5, 1, 1
			}
			var first harness.Report
			for _, workers := range []int{1, 3} {
				cfg.Workers = workers
				rep, err := harness.Verify(context.Background(), target, cfg)
				require.NoError(t, err)
				require.Positive(t, rep.CrashStates)
				if workers == 1 {
					first = untimed(rep)
					continue
				}
				require.Equal(t, first, untimed(rep), "workers=%d", workers)
			}
			t.Logf("%s: %d crash states, %d distinct images, %d violations", target.Name, first.CrashStates, first.DistinctImages, len(first.Violations))
		})
	}
}

// A verdict taken from the memo (an image, complete run or observation
// already checked for the same initial state) is the verdict a fresh check
// gives: with the memo off, every report is the same, except that every
// crash state is then a distinct image checked.
func TestCachedVerdictEqualsFreshCheck(t *testing.T) {
	reused := 0
	// The memo serves the sweeps: targets whose sweeps run (and one whose
	// sweeps fail).
	for _, target := range parallelCases(t, "flag-without-sync", "unlocked-rmw") {
		t.Run(target.Name, func(t *testing.T) {
			cfg := harness.Config{Seed: 3, Checks: 10, Stores: 2, MaxKeys: 8, StopAtFirst: true, Workers: 2}
			if testing.Short() {
				cfg.Checks, cfg.Stores, cfg.Depth = 5, 1, 1
			}
			cached, err := harness.Verify(context.Background(), target, cfg)
			require.NoError(t, err)
			cfg.NoCache = true
			fresh, err := harness.Verify(context.Background(), target, cfg)
			require.NoError(t, err)
			require.Equal(t, fresh.CrashStates, fresh.DistinctImages, "no cache: every crash state is checked")
			require.LessOrEqual(t, cached.DistinctImages, cached.CrashStates)
			reused += cached.CrashStates - cached.DistinctImages
			// Same verdicts, same counterexamples, same counts.
			c := untimed(cached)
			c.DistinctImages = fresh.DistinctImages
			for i := range c.Phases {
				c.Phases[i].DistinctImages = fresh.Phases[i].DistinctImages
			}
			require.Equal(t, untimed(fresh), c)
		})
	}
	require.Positive(t, reused, "the memo was used at all")
}
