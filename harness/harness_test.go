package harness_test

import (
	"context"
	"errors"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// quick sizes Verify for make test; -short (make race) shrinks it further.
func quick() harness.Config {
	if testing.Short() {
		return harness.Config{Seed: 7, Checks: 5, Stores: 1, Depth: 1}
	}
	return harness.Config{Seed: 7, Checks: 15, Stores: 4, Depth: 2}
}

// The built-in targets pass the whole harness.
func TestBuiltinTargetsVerify(t *testing.T) {
	for _, tg := range harness.Targets() {
		t.Run(tg.Name, func(t *testing.T) {
			rep, err := harness.Verify(context.Background(), tg, quick())
			require.NoError(t, err)
			for _, v := range rep.Violations {
				t.Errorf("%s", v)
			}
			require.Greater(t, rep.CrashStates, 100, "the sweeps must explore crash states")
			require.Greater(t, rep.Cases, 0)
		})
	}
}

func TestVerifyRejectsTargetWithoutOpen(t *testing.T) {
	_, err := harness.Verify(context.Background(), harness.Target{Name: "none"}, quick())
	require.ErrorIs(t, err, harness.ErrBadTarget)
}

// A target without a Name would give reports and replay lines that name
// nothing: every entry point refuses it.
func TestEveryEntryPointRejectsTargetWithoutName(t *testing.T) {
	ctx := context.Background()
	nameless := harness.Targets()[0]
	nameless.Name = ""
	_, err := harness.Verify(ctx, nameless, quick())
	require.ErrorIs(t, err, harness.ErrBadTarget)
	_, err = harness.Soak(ctx, nameless, harness.SoakConfig{MaxCases: 1})
	require.ErrorIs(t, err, harness.ErrBadTarget)
	_, err = harness.Explore(ctx, nameless, harness.ExploreConfig{Keys: 1, Depth: 1})
	require.ErrorIs(t, err, harness.ErrBadTarget)
	_, err = harness.Replay(ctx, nameless, harness.Artifact{})
	require.ErrorIs(t, err, harness.ErrBadTarget)
	// An Exec target without a Name: TestExecTargetWithoutNameIsRefused
	// (harness/sysexplore), on a command target that is valid otherwise.
}

func TestVerifyDropPolicyTarget(t *testing.T) {
	tg := harness.Targets()[0]
	tg.Name, tg.Policy = "encfile-drop", model.Drop
	tg.Migrate = fixture.RunnerMigrator(model.Drop, config.NewCache(0))
	rep, err := harness.Verify(context.Background(), tg, harness.Config{Seed: 3, Checks: 5, Stores: 2, Depth: 1})
	require.NoError(t, err)
	require.Empty(t, rep.Violations)
}

// panicky is a provider whose every call panics.
type panicky struct{ secrets.Provider }

func (panicky) GetSecret(context.Context, string) (string, error) { panic("boom") }
func (panicky) SetSecret(context.Context, string, string) error   { panic("boom") }
func (panicky) ListSecrets(context.Context) ([]secrets.SecretDescription, error) {
	panic("boom")
}

// Verify never panics on a bad target: a panicking Open or provider is
// reported, as an error, violations or inconclusive cases.
func TestVerifySurvivesPanickingTargets(t *testing.T) {
	for name, open := range map[string]func(afero.Fs) (secrets.Provider, error){
		"open panics":     func(afero.Fs) (secrets.Provider, error) { panic("open boom") },
		"provider panics": func(afero.Fs) (secrets.Provider, error) { return panicky{}, nil },
		"open fails":      func(afero.Fs) (secrets.Provider, error) { return nil, errors.New("no store") },
	} {
		t.Run(name, func(t *testing.T) {
			var rep harness.Report
			var err error
			require.NotPanics(t, func() {
				rep, err = harness.Verify(context.Background(), harness.Target{Name: name, Open: open}, harness.Config{Seed: 1, Checks: 3, Stores: 1, Depth: 1})
			})
			require.True(t, err != nil || len(rep.Violations)+len(rep.Inconclusive) > 0, "a broken target must not pass")
			require.False(t, err == nil && rep.OK(), "a broken target must not pass")
		})
	}
}
