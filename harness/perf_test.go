package harness_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
	"github.com/scopemig/scopemig/internal/fixture"
)

// ExploreRate counts the states of every worker, and the first violation
// stops all of them: with an hour to run, this test ends (rather than
// timing out) only because the other worker stops too.
func TestExploreRate(t *testing.T) {
	ctx := context.Background()
	states, images, secs, err := harness.ExploreRate(ctx, harness.Targets()[0], fixture.ExploreStore(), faults.Process, 2, 100*time.Millisecond)
	require.NoError(t, err)
	require.Positive(t, states)
	require.Positive(t, images)
	require.LessOrEqual(t, images, states)
	require.Positive(t, secs)

	m, ok := mutants.ByName("delete-before-write")
	require.True(t, ok)
	states, _, _, err = harness.ExploreRate(ctx, m.Target, fixture.ExploreStore(), faults.Process, 2, time.Hour)
	require.ErrorIs(t, err, harness.ErrViolation)
	require.Positive(t, states, "the states checked before the violation are counted")
}
