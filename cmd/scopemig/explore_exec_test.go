//go:build linux && amd64

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore"
)

// runExplore runs `scopemig explore` in-process.
func runExplore(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newExploreCmd()
	cmd.SilenceUsage, cmd.SilenceErrors = true, true // as under the root command
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestExploreExecBadInvocations(t *testing.T) {
	t.Setenv(PasswordEnvVar, fixturePassword)
	for _, tc := range []struct {
		args []string
		want error
		msg  string
	}{
		{[]string{"--exec", "--from", fixtureDir}, nil, "needs a command"},
		{[]string{"--exec", "--from", fixtureDir, "--mode", "torn", "--", "true"}, sysexplore.ErrBadConfig, "mode torn does not apply to a real process"},
		{[]string{"--exec", "--from", fixtureDir, "--mode", "bogus", "--", "true"}, faults.ErrSyntax, "--mode: want process, power, power-partial or all"},
		{[]string{"--exec", "--from", fixtureDir, "--on-conflict", "lose", "--", "true"}, nil, "unknown conflict policy"},
		{[]string{"--exec", "--", "true"}, sysexplore.ErrBadConfig, "--from"},
		{[]string{"--exec", "--from", fixtureDir, "--fs", "zfs", "--", "true"}, sysexplore.ErrBadConfig, "unknown --fs"},
		{[]string{"--exec", "--from", "/nonexistent", "--", "true"}, sysexplore.ErrBadConfig, "not a directory"},
		{[]string{"extra-arg"}, nil, "no arguments without --exec"},
	} {
		_, err := runExplore(t, tc.args...)
		require.Error(t, err, "%q", tc.args)
		if tc.want != nil {
			require.ErrorIs(t, err, tc.want, "%q", tc.args)
		}
		require.Contains(t, err.Error(), tc.msg, "%q", tc.args)
	}
}

// A command that empties the config: exit 1, and the JSON report lists
// the violations with invariant, mode, syscall and replay.
func TestExploreExecJSONReport(t *testing.T) {
	if err := sysexplore.PtraceWorks(); err != nil {
		t.Skipf("skipping: ptrace is not permitted here (%v); CI runs this as root", err)
	}
	t.Setenv(PasswordEnvVar, fixturePassword)
	out, err := runExplore(t, "--exec", "--from", fixtureDir, "--mode", "process", "--json", "--",
		"/bin/sh", "-c", `: > "$1/config.yaml"`, "sh", "{dir}")
	require.True(t, errors.Is(err, errExploreFound), "%v", err)
	var rep struct {
		Points     int `json:"points"`
		Violations []struct {
			Invariant string `json:"invariant"`
			Mode      string `json:"mode"`
			Point     int    `json:"point"`
			Syscall   string `json:"syscall"`
			Replay    string `json:"replay"`
		} `json:"violations"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep), "%q %v", out, err)
	require.Equal(t, 1, rep.Points, "one crash point: the truncating open")
	found := map[string]bool{}
	for _, v := range rep.Violations {
		found[v.Invariant+"/"+v.Mode] = true
		require.NotEmpty(t, v.Syscall)
		require.Contains(t, v.Replay, "scopemig explore --exec --from "+fixtureDir+" --mode process")
	}
	require.True(t, found["I9/process"], "%s", out) // the complete run leaves an empty config
	require.True(t, found["I4/process"], "%s", out) // and no migration
	require.NotContains(t, out, "bare-value-older", "no value in the report")
	// A mode's JSON fields: the shape shared with the in-memory explorer,
	// and the names this report had before (points, distinct,
	// points_per_second), kept.
	var raw struct {
		Modes []map[string]any `json:"modes"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	require.Len(t, raw.Modes, 1)
	require.Equal(t, "process", raw.Modes[0]["mode"])
	require.ElementsMatch(t, []string{"mode", "states", "distinct_images", "runs", "seconds", "states_per_second", "points", "distinct", "points_per_second"}, slices.Collect(maps.Keys(raw.Modes[0])))
	require.Equal(t, raw.Modes[0]["states"], raw.Modes[0]["points"])
}
