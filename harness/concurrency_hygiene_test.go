package harness_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
	"github.com/scopemig/scopemig/model"
)

// The concurrency phase scans the disk for I8 after each process crash
// and before the final restart: the store mutants that leave a plaintext
// copy (cleaned on the next open) or a world-readable file are caught by
// the concurrency checks alone, in some of the first cases of each
// scenario.
func TestConcurrencyScansHygiene(t *testing.T) {
	for _, name := range []string{"plaintext-left-cleaned-on-open", "world-readable"} {
		t.Run(name, func(t *testing.T) {
			m, ok := mutants.ByName(name)
			require.True(t, ok)
			caught := 0
			for _, sc := range harness.ConcurrencyScenarios() {
				for seed := uint64(1); seed <= 4; seed++ {
					cf, err := harness.CheckConcurrency(context.Background(), m.Target, sc, seed)
					require.NoError(t, err)
					if cf != nil && cf.Violation.Invariant == model.I8 {
						caught++
					}
				}
			}
			t.Logf("%s: I8 in %d of %d concurrency cases", name, caught, 4*len(harness.ConcurrencyScenarios()))
			require.Positive(t, caught)
		})
	}
}
