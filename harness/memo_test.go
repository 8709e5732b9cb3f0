package harness

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// The convergence memo shares only the complete runs of byte-identical
// images: every crash point is still run and checked, and an image that
// differs by one byte is completed again.
func TestConvergenceMemo(t *testing.T) {
	ctx := context.Background()
	sw := &sweeper{e: newEnv(ctx, Targets()[0]), depth: 1, seed: 1}
	s0 := fixture.ExploreStore()
	d, err := sw.e.seed(s0)
	require.NoError(t, err)
	n, err := sw.e.run(d.Clone(), nil)
	require.NoError(t, err)

	f, err := sw.store(s0, faults.Process)
	require.NoError(t, err)
	require.Nil(t, f)
	require.Equal(t, n+1, sw.states, "one state per crash point, none skipped")
	// Without the tap and the memo: the idempotence run, the top complete
	// run, n+1 crashing runs and n+1 complete runs. With them: the
	// idempotence run, one complete run per distinct image (the top one
	// included: every entry of the memo's complete table) and one tapped
	// run that takes every point's image.
	require.NotEmpty(t, sw.memo.complete)
	require.Equal(t, 2+len(sw.memo.complete), sw.runs, "identical images are completed once, and one tapped run takes every image")
	require.Less(t, sw.runs, n+2, "no crash point has a run of its own")

	// A hit returns the remembered op count; a changed image misses.
	k := sw.memo.imageKey(kindComplete, sw.expect(s0), d)
	sw.memo.reset()
	sw.memo.complete[k] = 12345
	got, f := sw.completeOnce(s0, d, nil, true)
	require.Nil(t, f)
	require.Equal(t, 12345, got)
	other := d.Clone()
	require.NoError(t, other.Chmod(fixture.ConfigDir, 0o755))
	_, f = sw.completeOnce(s0, other, nil, true)
	require.NotNil(t, f, "the changed image is checked, not taken from the memo")
	other2 := model.State{Secrets: map[string]string{"BEARER_TOKEN_x": "v"}}
	_, f = sw.completeOnce(other2, d, nil, true)
	require.NotNil(t, f, "the same image for another initial state is checked, not taken from the memo")
}

// The check memo shares the model check of exactly equal observed states
// only: a state that differs in one value or in the flag is checked, and a
// failing state is never remembered.
func TestCheckMemo(t *testing.T) {
	sw := &sweeper{e: newEnv(context.Background(), Targets()[0]), depth: 1, seed: 1}
	s0 := fixture.ExploreStore()
	require.Empty(t, sw.checkState(s0, s0, nil))
	require.Len(t, sw.memo.observed, 1)
	require.Empty(t, sw.checkState(s0, s0.Clone(), nil), "an equal state passes (from the memo)")
	require.Len(t, sw.memo.observed, 1)

	lost := s0.Clone()
	lost.Secrets["github-token"] = "another-value-123"
	require.NotEmpty(t, sw.checkState(s0, lost, nil), "one changed value is checked")
	require.NotEmpty(t, sw.checkState(s0, lost, nil), "and failures are not remembered")
	flagged := s0.Clone()
	flagged.Migrated = true
	require.NotEmpty(t, sw.checkState(s0, flagged, nil), "the flag is part of the key (I3)")
	require.Len(t, sw.memo.observed, 1)

	// Keys cannot collide by concatenation.
	a := model.State{Secrets: map[string]string{"ab": "c"}}
	b := model.State{Secrets: map[string]string{"a": "bc"}}
	var keys []string
	require.NotEqual(t, string(appendState(nil, a, &keys)), string(appendState(nil, b, &keys)))
	x := sw.expect(s0)
	require.NotEqual(t, sw.memo.stateKey(x, a), sw.memo.stateKey(x, b))
}
