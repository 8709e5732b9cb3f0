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

// Explore with a Duration counts the states of every worker, and the
// first violation stops all of them: with an hour to run, this test ends
// (rather than timing out) only because the other worker stops too.
func TestExploreDuration(t *testing.T) {
	ctx := context.Background()
	s0 := fixture.ExploreStore()
	cfg := harness.ExploreConfig{Store: &s0, Modes: []faults.Mode{faults.Process}, Depth: 1, Seed: 1, Workers: 2, Duration: 100 * time.Millisecond}
	rep, err := harness.Explore(ctx, harness.Targets()[0], cfg)
	require.NoError(t, err)
	require.True(t, rep.OK())
	require.Equal(t, 10, rep.Keys)
	require.Len(t, rep.Modes, 1)
	m := rep.Modes[0]
	require.Positive(t, m.States)
	require.Positive(t, m.Images)
	require.LessOrEqual(t, m.Images, m.States)
	require.Positive(t, m.Seconds)

	mut, ok := mutants.ByName("delete-before-write")
	require.True(t, ok)
	cfg.Duration = time.Hour
	rep, err = harness.Explore(ctx, mut.Target, cfg)
	require.NoError(t, err)
	require.False(t, rep.OK())
	require.NotEmpty(t, rep.Modes[0].Violation)
	require.NotEmpty(t, rep.Modes[0].Counterexample)
	require.Positive(t, rep.Modes[0].States, "the states checked before the violation are counted")
}
