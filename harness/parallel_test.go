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

// parallelCase is a target and the config it is verified with in these
// tests: small (they run in make test), with at least two shards in every
// phase that has shards.
type parallelCase struct {
	target harness.Target
	cfg    harness.Config
}

// parallelCases are the encfile target (every phase passes) and mutants
// caught by the property phase (rapid shards, minimized: delete-before-write),
// by the sweeps (store shards, shrinking: flag-without-sync) and by the
// concurrency phase (unlocked-rmw, its other phases skipped: they pass and
// are covered by encfile).
func parallelCases(t *testing.T) []parallelCase {
	t.Helper()
	small := harness.Config{Seed: 7, Checks: 10, Stores: 1, MaxKeys: 6, StopAtFirst: true}
	cases := []parallelCase{{harness.Targets()[0], small}}
	for _, name := range []string{"delete-before-write", "flag-without-sync", "unlocked-rmw"} {
		m, ok := mutants.ByName(name)
		require.True(t, ok, name)
		cfg := small
		if name == "unlocked-rmw" {
			cfg.Skip = []string{"conformance", "property", "statemachine", "sweep"}
		}
		cases = append(cases, parallelCase{m.Target, cfg})
	}
	return cases
}

// Verify's report, crash-state and distinct-image counts and the minimal
// counterexample included, is the same for 1 and 3 workers with the same
// seed.
func TestVerifyReportIndependentOfWorkers(t *testing.T) {
	for _, c := range parallelCases(t) {
		t.Run(c.target.Name, func(t *testing.T) {
			var first harness.Report
			for _, workers := range []int{1, 3} {
				cfg := c.cfg
				cfg.Workers = workers
				rep, err := harness.Verify(context.Background(), c.target, cfg)
				require.NoError(t, err)
				require.Positive(t, rep.Cases)
				if workers == 1 {
					first = untimed(rep)
					continue
				}
				require.Equal(t, first, untimed(rep), "workers=%d", workers)
			}
			t.Logf("%s: %d crash states, %d distinct images, %d violations", c.target.Name, first.CrashStates, first.DistinctImages, len(first.Violations))
		})
	}
}

// A verdict taken from the memo (an image, complete run or observation
// already checked for the same initial state) is the verdict a fresh check
// gives: with the memo off, every report is the same, except that every
// crash state is then a distinct image checked. The memo serves the
// sweeps, so this runs the targets whose sweeps run (one passes, one
// fails), at depth 2.
func TestCachedVerdictEqualsFreshCheck(t *testing.T) {
	reused := 0
	for _, c := range parallelCases(t) {
		if c.target.Name != "encfile" && c.target.Name != "mutant:flag-without-sync" {
			continue
		}
		t.Run(c.target.Name, func(t *testing.T) {
			cfg := c.cfg
			cfg.Depth, cfg.Workers = 2, 2
			cached, err := harness.Verify(context.Background(), c.target, cfg)
			require.NoError(t, err)
			cfg.NoCache = true
			fresh, err := harness.Verify(context.Background(), c.target, cfg)
			require.NoError(t, err)
			require.Equal(t, fresh.CrashStates, fresh.DistinctImages, "no cache: every crash state is checked")
			require.LessOrEqual(t, cached.DistinctImages, cached.CrashStates)
			reused += cached.CrashStates - cached.DistinctImages
			// Same verdicts, same counterexamples, same counts.
			got := untimed(cached)
			got.DistinctImages = fresh.DistinctImages
			for i := range got.Phases {
				got.Phases[i].DistinctImages = fresh.Phases[i].DistinctImages
			}
			require.Equal(t, untimed(fresh), got)
		})
	}
	require.Positive(t, reused, "the memo was used at all")
}
