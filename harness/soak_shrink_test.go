package harness_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
)

// The soak's shrink is 1-minimal: for failing soak cases of several
// mutants, the reported minimal counterexample still fails when replayed
// from scratch, and dropping any one key of its store or any one of its
// faulty runs makes that failure disappear.
func TestSoakShrinkIsOneMinimal(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		mutant string
		cfg    harness.SoakConfig
	}{
		{"delete-before-write", harness.SoakConfig{Seed: 3, MaxKeys: 30, Workers: 1, MaxCases: 16}},
		{"quarantine-overwrite", harness.SoakConfig{Seed: 3, MaxKeys: 30, Workers: 1, MaxCases: 16}},
		{"flag-before-data", harness.SoakConfig{Seed: 3, MaxKeys: 30, Workers: 1, MaxCases: 16}},
		{"flag-without-sync", harness.SoakConfig{Seed: 14, MaxKeys: 30, Workers: 1, MaxCases: 32, CrashAfterError: true}},
	} {
		t.Run(c.mutant, func(t *testing.T) {
			m, ok := mutants.ByName(c.mutant)
			require.True(t, ok)
			rep, err := harness.Soak(ctx, m.Target, c.cfg)
			require.NoError(t, err)
			require.NotEmpty(t, rep.Failures, "the soak missed %s", c.mutant)
			checked := 0
			for _, a := range rep.Failures[:min(3, len(rep.Failures))] {
				min, art, err := harness.SoakMinimalOf(ctx, m.Target, c.cfg, a.Case)
				require.NoError(t, err)
				require.NotNil(t, min, "case %d does not fail again", a.Case)
				require.True(t, a.Same(*art), "case %d: the replay differs from the soak's artifact", a.Case)
				fails, err := min.Fails(ctx, "", -1)
				require.NoError(t, err)
				require.True(t, fails, "case %d: the minimal case does not fail from scratch", a.Case)
				for _, k := range min.Keys() {
					fails, err := min.Fails(ctx, k, -1)
					require.NoError(t, err)
					require.False(t, fails, "case %d still fails with %s without key %q: not 1-minimal (%d keys, schedule %v)", a.Case, min.ID, k, len(min.Keys()), art.Schedule)
					checked++
				}
				for i := range min.Steps() {
					fails, err := min.Fails(ctx, "", i)
					require.NoError(t, err)
					require.False(t, fails, "case %d still fails with %s without faulty run %d: not 1-minimal (schedule %v)", a.Case, min.ID, i+1, art.Schedule)
					checked++
				}
				t.Logf("case %d: %s, %d keys, schedule %v: 1-minimal", a.Case, min.ID, len(min.Keys()), art.Schedule)
			}
			require.Positive(t, checked, "no key or faulty run to drop: nothing checked")
		})
	}
}
