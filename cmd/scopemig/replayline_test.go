package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
)

// The harness reports a library call; verify rewrites it as the command
// that re-runs the same case, for a target and for a mutant, and the
// command parses back into the same flags.
func TestVerifyWritesCommandReplays(t *testing.T) {
	cfg := harness.Config{Seed: 1, Depth: 1, Checks: 20}
	out, err := runVerify(context.Background(), cfg, "mutant:flag-before-data", false)
	require.NoError(t, err)
	require.Len(t, out.Targets, 1)
	require.NotEmpty(t, out.Targets[0].Violations)
	line := "scopemig verify --target mutant:flag-before-data --seed 1 --depth 1 --checks 20"
	for _, v := range out.Targets[0].Violations {
		require.Equal(t, line, v.Replay)
	}
	// A zero flag is left out: its default applies again.
	require.Equal(t, "scopemig verify --target encfile --seed 7", verifyReplay("encfile", harness.Config{Seed: 7}))
	require.Equal(t, "scopemig replay --target 'odd name' --seed 3 --case 4 --max-keys 5 --depth 2 --crash-after-error",
		soakReplay(harness.Artifact{Target: "odd name", Seed: 3, Case: 4, MaxKeys: 5, Depth: 2, CrashAfterError: true}))
}
