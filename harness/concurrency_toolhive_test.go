package harness_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// With ToolHive's config writer (UpdateConfigAtPath: config.yaml.lock,
// read, modify, in-place write) and its secrets writer running beside the
// migration, the project's Runner keeps every ToolHive update and its flag
// for every seed, with either policy.
func TestConcurrencyToolHiveEverySeed(t *testing.T) {
	ctx := context.Background()
	drop := concTarget()
	drop.Name, drop.Policy, drop.Migrate = "encfile-drop", model.Drop, fixture.RunnerMigrator(model.Drop, config.NewCache(0))
	for _, tg := range []harness.Target{concTarget(), drop, harness.Targets()[1] /* dirstore */} {
		for seed := uint64(1); seed <= acceptanceSeeds; seed++ {
			cf, err := harness.CheckConcurrency(ctx, tg, harness.ScenarioToolHive, seed)
			require.NoError(t, err)
			if cf != nil {
				t.Fatalf("%s seed %d: %s", tg.Name, seed, cf.Violation)
			}
		}
	}
}

// A config writer without config.yaml.lock loses ToolHive's
// update or the flag, or leaves a flag-only config: the scenario reports
// I9 with a schedule that replays it.
func TestConcurrencyToolHiveCatchesUnlockedConfigWriter(t *testing.T) {
	ctx := context.Background()
	m, ok := mutants.ByName("config-unlocked")
	require.True(t, ok)
	var found *harness.ConcurrencyFailure
	hits := 0
	const seeds = 40 // each hit is shrunk: keep the test short
	for seed := uint64(1); seed <= seeds; seed++ {
		cf, err := harness.CheckConcurrency(ctx, m.Target, harness.ScenarioToolHive, seed)
		require.NoError(t, err)
		if cf != nil {
			hits++
			if found == nil {
				found = cf
			}
		}
	}
	require.NotNil(t, found, "no seed exposed the unlocked config writer")
	t.Logf("caught in %d of %d seeds\n%s", hits, seeds, found.Violation)
	require.Equal(t, model.I9, found.Violation.Invariant)
	again, err := harness.ReplayConcurrency(ctx, m.Target, found.Schedule)
	require.NoError(t, err)
	require.NotNil(t, again, "the printed schedule must replay the failure")
	require.Equal(t, found.Violation.Counterexample, again.Violation.Counterexample)
}
