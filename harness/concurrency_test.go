package harness_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// toolhiveStyleMigrate is ToolHive v0.47.0's MigrateSystemKeys shape: per
// legacy key, an existence check of the scoped key, a read of the bare
// key, a write of the scoped key and a delete of the bare key, each a
// separate provider call (policy drop). Between the existence check and
// the write a concurrent refresh of the scoped key is overwritten.
func toolhiveStyleMigrate(ctx context.Context, fsys afero.Fs, p secrets.Provider) error {
	if done, err := harness.IsMigrated(fsys); err != nil || done {
		return err
	}
	list, err := p.ListSecrets(ctx)
	if err != nil {
		return err
	}
	s := model.State{Secrets: map[string]string{}}
	for _, d := range list {
		s.Secrets[d.Key] = ""
	}
	for _, mv := range model.Legacy(s) {
		_, err := p.GetSecret(ctx, mv.Target)
		exists := err == nil
		if err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return err
		}
		if !exists {
			v, err := p.GetSecret(ctx, mv.Key)
			if errors.Is(err, secrets.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := p.SetSecret(ctx, mv.Target, v); err != nil {
				return err
			}
		}
		if err := p.DeleteSecret(ctx, mv.Key); err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return err
		}
	}
	return harness.MarkMigrated(fsys)
}

func concTarget() harness.Target { return harness.Targets()[0] }

func toolhiveStyleTarget() harness.Target {
	t := concTarget()
	t.Name, t.Migrate, t.Policy = "toolhive-style", toolhiveStyleMigrate, model.Drop
	return t
}

const acceptanceSeeds = 200

// The per-key migrator loses the concurrent refresh; the harness reports
// it as I6 with a minimal, replayable schedule.
func TestConcurrencyCatchesToolHiveLostUpdate(t *testing.T) {
	ctx := context.Background()
	tg := toolhiveStyleTarget()
	var found *harness.ConcurrencyFailure
	for seed := uint64(1); seed <= acceptanceSeeds && found == nil; seed++ {
		cf, err := harness.CheckConcurrency(ctx, tg, harness.ScenarioRefresh, seed)
		require.NoError(t, err)
		found = cf
	}
	require.NotNil(t, found, "no seed exposed the lost update")
	require.Equal(t, model.I6, found.Violation.Invariant)
	t.Logf("%s\nschedule: %s", found.Violation, found.Schedule)
	require.LessOrEqual(t, found.Switches, 3, "the minimal interleaving needs few switches")

	again, err := harness.ReplayConcurrency(ctx, tg, found.Schedule)
	require.NoError(t, err)
	require.NotNil(t, again, "the printed schedule must replay the failure")
	require.Equal(t, found.Violation.Counterexample, again.Violation.Counterexample)
}

// The project's Runner (Updater path) passes the same scenario for every
// seed, with either policy.
func TestConcurrencyRunnerRefreshEverySeed(t *testing.T) {
	ctx := context.Background()
	drop := concTarget()
	drop.Name, drop.Policy, drop.Migrate = "encfile-drop", model.Drop, fixture.RunnerMigrator(model.Drop, config.NewCache(0))
	for _, tg := range []harness.Target{concTarget(), drop} {
		for seed := uint64(1); seed <= acceptanceSeeds; seed++ {
			cf, err := harness.CheckConcurrency(ctx, tg, harness.ScenarioRefresh, seed)
			require.NoError(t, err)
			if cf != nil {
				t.Fatalf("%s seed %d: %s", tg.Name, seed, cf.Violation)
			}
		}
	}
}

// Every scenario passes on the built-in target.
func TestConcurrencyScenariosRunner(t *testing.T) {
	ctx := context.Background()
	for _, sc := range harness.ConcurrencyScenarios() {
		for seed := uint64(1); seed <= 30; seed++ {
			cf, err := harness.CheckConcurrency(ctx, concTarget(), sc, seed)
			require.NoError(t, err)
			if cf != nil {
				t.Fatalf("%s seed %d: %s", sc, seed, cf.Violation)
			}
		}
	}
}

func TestReplayConcurrencyRejectsBadSchedules(t *testing.T) {
	for _, s := range []string{"", "refresh", "nope/seed=1/drop=/script=-", "refresh/seed=x/drop=/script=-", "refresh/seed=1/drop=/script=0a"} {
		_, err := harness.ReplayConcurrency(context.Background(), concTarget(), s)
		require.ErrorIs(t, err, harness.ErrBadSchedule, s)
	}
}

// The concurrency phase runs by default in Verify and Config.Skip turns it
// off.
func TestVerifyConcurrencyPhaseSwitch(t *testing.T) {
	others := []string{"conformance", "property", "statemachine", "sweep"}
	phases := func(skip ...string) []string {
		rep, err := harness.Verify(context.Background(), concTarget(), harness.Config{Seed: 5, Checks: 10, Skip: skip})
		require.NoError(t, err)
		require.Empty(t, rep.Violations)
		var names []string
		for _, p := range rep.Phases {
			names = append(names, p.Name)
		}
		return names
	}
	require.Equal(t, []string{"concurrency"}, phases(others...))
	require.Empty(t, phases(append(others, "concurrency")...))

	// Through Verify, the per-key migrator is reported with its schedule.
	rep, err := harness.Verify(context.Background(), toolhiveStyleTarget(), harness.Config{Seed: 5, Checks: 40, Skip: others})
	require.NoError(t, err)
	require.NotEmpty(t, rep.Violations)
	require.Equal(t, model.I6, rep.Violations[0].Invariant)
	// Which scenario fails first depends on the seed (a scoped refresh, or
	// ToolHive's own secrets writer rotating a token); each prints its
	// schedule.
	require.Regexp(t, `(?m)^run \d+: schedule [a-z-]+/seed=\d+/drop=`, strings.Join(rep.Violations[0].Counterexample, "\n"))
}
