package mutants_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
)

// Every mutant is caught with one of its expected invariants and a
// counterexample that names steps, never values.
func TestEveryMutantIsCaught(t *testing.T) {
	suite := mutants.Suite()
	require.GreaterOrEqual(t, len(suite), 8)
	for _, m := range suite {
		t.Run(m.Name, func(t *testing.T) {
			cfg := harness.Config{Seed: 1}
			if testing.Short() { // make race
				cfg.Checks, cfg.Stores, cfg.Depth = 20, 3, 1
			}
			res := mutants.Check(context.Background(), m, cfg)
			require.True(t, res.Caught, "%s escaped: first violation %q, want one of %s", m.Name, res.Invariant, res.Expect)
			require.NotEmpty(t, res.Counterexample)
			require.Contains(t, res.Replay, "--target mutant:"+m.Name)
			t.Logf("%s caught by %s with %d counterexample lines", m.Name, res.Invariant, res.CounterexampleSize)
		})
	}
}

func TestByName(t *testing.T) {
	m, ok := mutants.ByName("flag-before-data")
	require.True(t, ok)
	require.Equal(t, "mutant:flag-before-data", m.Target.Name)
	_, ok = mutants.ByName("no-such-mutant")
	require.False(t, ok)
}
