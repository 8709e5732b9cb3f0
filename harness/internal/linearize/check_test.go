package linearize

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/model"
)

// A read that sees a write which returned before it began is linearizable;
// one that sees the old value after the write returned is not, and the
// checker says which operations.
func TestCheckFindsAStaleRead(t *testing.T) {
	s0 := model.State{Secrets: map[string]string{"k": "old-value"}}
	var ok History
	ok.Add(0, In{Kind: Set, Key: "k", Value: "new-value"}, 1, Out{}, 2)
	ok.Add(1, In{Kind: Get, Key: "k"}, 3, Out{Value: "new-value"}, 4)
	good, _, err := Check(model.Model{}, model.Keep, s0, ok.Operations(), false)
	require.NoError(t, err)
	require.True(t, good)

	var stale History
	stale.Add(0, In{Kind: Set, Key: "k", Value: "new-value"}, 1, Out{}, 2)
	stale.Add(1, In{Kind: Get, Key: "k"}, 3, Out{Value: "old-value"}, 4)
	bad, lines, err := Check(model.Model{}, model.Keep, s0, stale.Operations(), false)
	require.NoError(t, err)
	require.False(t, bad)
	require.NotEmpty(t, lines)
	for _, l := range lines {
		require.NotContains(t, l, "old-value", "values are fingerprinted")
	}

	// Overlapping, the same read may have happened before the write.
	var overlap History
	overlap.Add(0, In{Kind: Set, Key: "k", Value: "new-value"}, 1, Out{}, 4)
	overlap.Add(1, In{Kind: Get, Key: "k"}, 2, Out{Value: "old-value"}, 3)
	good, _, err = Check(model.Model{}, model.Keep, s0, overlap.Operations(), false)
	require.NoError(t, err)
	require.True(t, good)
}
