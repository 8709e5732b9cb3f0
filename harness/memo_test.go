package harness

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
)

// The convergence memo shares only the complete runs of byte-identical
// images: every crash point is still run and checked, and an image that
// differs by one byte is completed again.
func TestConvergenceMemo(t *testing.T) {
	ctx := context.Background()
	sw := &sweeper{e: newEnv(ctx, Targets()[0]), depth: 1, seed: 1}
	s0 := ExploreStore()
	d, err := sw.e.seed(s0)
	require.NoError(t, err)
	n, err := sw.e.run(d.Clone(), nil)
	require.NoError(t, err)

	f, err := sw.store(s0, faults.Process)
	require.NoError(t, err)
	require.Nil(t, f)
	require.Equal(t, n+1, sw.states, "one state per crash point, none skipped")
	// Without the memo: the idempotence run, the top complete run, n+1
	// crashing runs and n+1 complete runs.
	require.Less(t, sw.runs, 2*n+4, "identical images are completed once")
	require.Greater(t, sw.runs, n+2)
	require.NotEmpty(t, sw.done.ops)

	// A hit returns the remembered op count; a changed image misses.
	k := string(sw.done.key(d))
	sw.done.reset()
	sw.done.ops[k] = 12345
	got, f := sw.completeOnce(s0, d, nil, true)
	require.Nil(t, f)
	require.Equal(t, 12345, got)
	other := d.Clone()
	require.NoError(t, other.Chmod(ConfigDir, 0o755))
	_, f = sw.completeOnce(s0, other, nil, true)
	require.NotNil(t, f, "the changed image is checked, not taken from the memo")
}
