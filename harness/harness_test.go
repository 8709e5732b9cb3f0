package harness_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
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

func TestVerifyDropPolicyTarget(t *testing.T) {
	tg := harness.Targets()[0]
	tg.Name, tg.Policy = "encfile-drop", model.Drop
	tg.Migrate = harness.RunnerMigrator(model.Drop)
	rep, err := harness.Verify(context.Background(), tg, harness.Config{Seed: 3, Checks: 5, Stores: 2, Depth: 1})
	require.NoError(t, err)
	require.Empty(t, rep.Violations)
}
