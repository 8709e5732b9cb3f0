package mutants_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
	"github.com/scopemig/scopemig/model"
)

// The op-level mutant is caught by each op-level phase on its own, not only
// by conformance.
func TestOpLevelMutantCaughtByEveryPhase(t *testing.T) {
	all := []string{"conformance", "property", "statemachine", "sweep"}
	for _, phase := range all {
		t.Run(phase, func(t *testing.T) {
			m, ok := mutants.ByName("oplevel-buffered-delete")
			require.True(t, ok)
			var skip []string
			for _, p := range all {
				if p != phase {
					skip = append(skip, p)
				}
			}
			rep, err := harness.Verify(context.Background(), m.Target, harness.Config{Seed: 9, Skip: skip, StopAtFirst: true})
			require.NoError(t, err)
			require.NotEmpty(t, rep.Violations, "phase %s missed the lost delete", phase)
			v := rep.Violations[0]
			require.Equal(t, phase, v.Phase)
			require.Contains(t, []model.InvariantID{model.I3, model.I4, model.I6}, v.Invariant, "%s", v)
			t.Logf("%s: %s", phase, v.Invariant)
		})
	}
}
