package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/sysexplore"
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

// explore --exec writes a violation's replay data as the command that
// explores its crash point alone.
func TestExecReplayLine(t *testing.T) {
	c := sysexplore.Config{From: "/s0", Argv: []string{"cmd", "{dir}", "a b"}, Layout: sysexplore.Layout{ConfigFile: "c.yaml"}}
	v := sysexplore.Violation{Mode: faults.Process, Point: 2, Image: "t2"}
	require.Equal(t, "scopemig explore --exec --from /s0 --mode process --point 2 --on-conflict keep --image t2 --config-name c.yaml -- cmd {dir} 'a b'", execReplay(c, v))
	v = sysexplore.Violation{Mode: faults.PowerPartial, Point: 5, Seed: 9, FS: sysexplore.Ext4Ordered}
	require.Equal(t, "scopemig explore --exec --from /s0 --mode power-partial --point 5 --seed 9 --subsets 1 --fs ext4-ordered --on-conflict keep --config-name c.yaml -- cmd {dir} 'a b'", execReplay(c, v))
}
