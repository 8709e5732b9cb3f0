//go:build linux && amd64

package interop

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore"
	"github.com/scopemig/scopemig/model"
)

// thvDriverConfig builds cmd/thvdriver (ToolHive v0.47.0's unmodified
// startup migration glue) and returns the exploration of it on the fixture
// under the keep model.
func thvDriverConfig(t *testing.T) sysexplore.Config {
	t.Helper()
	if err := sysexplore.PtraceWorks(); err != nil {
		t.Skipf("skipping: ptrace is not permitted here (%v); CI runs this as root", err)
	}
	bin := filepath.Join(t.TempDir(), "thvdriver")
	out, err := exec.Command("go", "build", "-o", bin, "./cmd/thvdriver").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return sysexplore.Config{
		From:     fixtureDir,
		Argv:     []string{bin, "{dir}/" + secretsName, "{dir}/" + configName},
		Policy:   model.Keep,
		Env:      append(os.Environ(), "TOOLHIVE_SECRETS_PASSWORD="+password),
		Password: password,
		WorkDir:  t.TempDir(),
	}
}

// TestToolHiveCrashFindings explores ToolHive's own migration at every
// file-mutating syscall and asserts the three findings of
// docs/toolhive-crash-findings.md, each at its minimal crash point, each
// reproduced by replaying that crash point alone.
func TestToolHiveCrashFindings(t *testing.T) {
	cfg := thvDriverConfig(t)
	rep, err := sysexplore.Explore(context.Background(), cfg)
	require.NoError(t, err)
	t.Logf("%d crash points, trace %s; %d violations", rep.Points, rep.TraceID, len(rep.Violations))
	for _, s := range rep.Inconclusive {
		t.Logf("inconclusive: %s", s)
	}
	for _, v := range rep.Violations {
		t.Logf("%s %s %s point %d: %s at %s\n  replay: %s", v.Invariant, v.Name, v.Mode, v.Point, v.Detail, v.Syscall, v.Replay)
	}

	// 1. A process crash in the flag write empties config.yaml (I9):
	// os.WriteFile opens it with O_TRUNC, and the kill lands on the write.
	i9, ok := rep.Has(model.I9, faults.Process)
	require.True(t, ok, "I9 in process mode")
	require.Regexp(t, `^#\d+ write\(\{dir\}/config\.yaml, \d+ bytes at 0\)`, i9.Syscall)
	require.Contains(t, i9.Detail, "empty")

	// 2. Exit 0, then power loss: the migration is gone (I6) — no fsync
	// of the config, no directory fsync after the secrets file's rename.
	i6, ok := rep.Has(model.I6, faults.Power)
	require.True(t, ok, "I6 in power mode")
	require.Equal(t, rep.Points+1, i6.Point, "after the complete run")
	require.Contains(t, i6.Detail, "flag is false, want true")

	// 3. Under the keep model the conflicting bare value is dropped (I2),
	// already at a crash point in the middle of the migration.
	i2, ok := rep.Has(model.I2, faults.Process)
	require.True(t, ok, "I2 in process mode")
	require.Contains(t, i2.Detail, `legacy "BEARER_TOKEN_conflict" value`)
	require.Less(t, i2.Point, rep.Points)

	// I9 and I6 replay from (point, mode, seed, image) alone. (Mid-
	// migration images of the fixture depend on ToolHive's map order, which
	// depends on scheduling: I2 is replayed on its minimal store below.)
	for _, want := range []sysexplore.Violation{i9, i6} {
		requireReplays(t, cfg, want)
	}
}

// requireReplays explores want's crash point alone and finds want again.
func requireReplays(t *testing.T, cfg sysexplore.Config, want sysexplore.Violation) {
	t.Helper()
	c := cfg
	c.Modes, c.Point, c.Seed, c.Subsets, c.ImageID = []faults.Mode{want.Mode}, want.Point, max(want.Seed, 1), 1, want.Image
	again, err := sysexplore.Explore(context.Background(), c)
	require.NoError(t, err)
	require.Empty(t, again.Inconclusive)
	got, ok := again.Has(want.Invariant, want.Mode)
	require.True(t, ok, "replay of %s: %s", want.Invariant, want.Replay)
	require.Equal(t, want.Point, got.Point)
	require.Equal(t, want.Syscall, got.Syscall)
	require.Equal(t, want.Detail, got.Detail)
}

// TestToolHiveDropsConflictMinimal: the I2 finding on its minimal store —
// only the conflicting pair (written by ToolHive's EncryptedManager) and
// the fixture's config. One legacy key, so ToolHive's order is fixed and
// the crash point replays exactly.
func TestToolHiveDropsConflictMinimal(t *testing.T) {
	cfg := thvDriverConfig(t)
	src := thManager(t, filepath.Join(fixtureDir, secretsName))
	dir := t.TempDir()
	copyFile(t, filepath.Join(fixtureDir, configName), filepath.Join(dir, configName))
	dst := thManager(t, filepath.Join(dir, secretsName))
	for _, k := range []string{"BEARER_TOKEN_conflict", "__thv_workloads_BEARER_TOKEN_conflict"} {
		v, err := src.GetSecret(context.Background(), k)
		require.NoError(t, err)
		require.NoError(t, dst.SetSecret(context.Background(), k, v))
	}
	cfg.From, cfg.Modes = dir, []faults.Mode{faults.Process}
	rep, err := sysexplore.Explore(context.Background(), cfg)
	require.NoError(t, err)
	require.Empty(t, rep.Inconclusive)
	i2, ok := rep.Has(model.I2, faults.Process)
	require.True(t, ok, "%+v", rep.Violations)
	require.Contains(t, i2.Detail, `legacy "BEARER_TOKEN_conflict" value`)
	require.Less(t, i2.Point, rep.Points, "in the middle of the migration")
	t.Logf("%d crash points; I2 at %s\n  replay: %s", rep.Points, i2.Syscall, i2.Replay)
	requireReplays(t, cfg, i2)
}
