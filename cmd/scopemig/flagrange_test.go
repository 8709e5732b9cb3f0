package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/internal/realsoak"
)

// A numeric flag outside its range is refused before anything runs; it
// used to fall back silently on a default (explore --keys 0 explored 8
// keys, --depth -1 depth 2) or, for soak --duration -1s, run without end.
func TestSoakRefusesOutOfRangeFlags(t *testing.T) {
	for name, set := range map[string]func(*soakFlags){
		"duration": func(f *soakFlags) { f.duration = -time.Second },
		"workers":  func(f *soakFlags) { f.workers = -1 },
		"max-keys": func(f *soakFlags) { f.maxKeys = -1 },
		"depth":    func(f *soakFlags) { f.depth = -1 },
	} {
		f := soakArgs(t.TempDir())
		set(&f)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := runSoak(ctx, &bytes.Buffer{}, &bytes.Buffer{}, f, realsoak.Config{})
		cancel()
		require.ErrorIs(t, err, errBadFlagValue, name)
		require.Contains(t, err.Error(), "--"+name, name)
	}
}

func TestExploreRefusesOutOfRangeFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--keys", "0"},
		{"--keys", "-1"},
		{"--depth", "0"},
		{"--depth", "-1"},
	} {
		cmd := newRoot()
		var out, errb bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&errb)
		cmd.SetArgs(append([]string{"explore"}, args...))
		err := cmd.Execute()
		require.ErrorIs(t, err, errBadFlagValue, "%v", args)
		require.Contains(t, err.Error(), args[0], "%v", args)
		require.Empty(t, out.String(), "%v: nothing explored", args)
	}
}

// An unknown --mode names the flag and the modes, not only the schedule
// syntax error of package faults.
func TestExploreUnknownModeMessage(t *testing.T) {
	cmd := newRoot()
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs([]string{"explore", "--mode", "bogus"})
	err := cmd.Execute()
	require.ErrorIs(t, err, faults.ErrSyntax)
	require.Contains(t, err.Error(), "--mode: want process, torn, power, power-partial or all")
}

// A negative --lock-timeout is refused when parsed; it used to mean "wait
// without limit" (like 0), and the wait notice then claimed "--lock-timeout 0s".
func TestNegativeLockTimeoutRefused(t *testing.T) {
	osfs := afero.NewOsFs()
	dir := install(t, osfs, t.TempDir())
	store := filepath.Join(dir, "secrets_encrypted")
	before := tree(t, dir)
	for name, c := range map[string]struct {
		cmd  func(cliEnv) *cobra.Command
		args []string
	}{
		"plan":        {newPlanCmdEnv, []string{"--secrets-file", store, "--config", filepath.Join(dir, "config.yaml")}},
		"migrate":     {newMigrateCmdEnv, []string{"--secrets-file", store, "--config", filepath.Join(dir, "config.yaml")}},
		"legacy list": {newLegacyCmdEnv, []string{"list", "--secrets-file", store}},
	} {
		out, errOut, code := run(t, c.cmd, testEnv(osfs, pwEnv()), append(c.args, "--lock-timeout", "-1s")...)
		require.Equal(t, 1, code, name)
		require.Empty(t, out, name)
		require.Contains(t, errOut, `invalid argument "-1s" for "--lock-timeout" flag`, name)
		require.Equal(t, 1, strings.Count(errOut, "\n"), "%s: one line: %q", name, errOut)
		require.Equal(t, before, tree(t, dir), name)
	}
}
