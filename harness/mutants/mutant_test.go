package mutants_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness/mutants"
)

func TestByName(t *testing.T) {
	m, ok := mutants.ByName("flag-before-data")
	require.True(t, ok)
	require.Equal(t, "mutant:flag-before-data", m.Target.Name)
	_, ok = mutants.ByName("no-such-mutant")
	require.False(t, ok)
}
