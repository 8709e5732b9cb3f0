//go:build linux && amd64

package interop

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	thconfig "github.com/stacklok/toolhive/pkg/config"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
	"gopkg.in/yaml.v3"

	"github.com/scopemig/scopemig/harness/sysexplore"
)

// The residual race of ToolHive v0.47.0's config lock (issue 21.4), with
// real processes: ToolHive's own, unmodified UpdateConfigAtPath and
// scopemig's flag write (impl/config.Flag.SetMigrated), each in a process
// of its own (cmd/cfgdriver). ToolHive unlocks config.yaml.lock and then
// removes it. A process that locks the file between the two holds an
// inode that loses its name a moment later; the next process creates a new
// lock file and locks that: two writers run at once, and ToolHive writes
// its config in place, so one of the two read-modify-writes is lost.
//
// The window is a few microseconds wide, so these tests open it on
// purpose: the tracer (pause_linux_amd64_test.go) freezes one real
// process on entry to a chosen system call (its flock, or its unlink of
// the lock file), and the drivers' gates hold a writer inside its
// critical section. Every schedule below is therefore deterministic. The
// natural rate, without any pause, is measured by TestLockRace/Rate.

const lockMarkerSeed = "seed"

// TestLockRace runs the deterministic schedules, then measures the natural
// rate (one build of the driver).
func TestLockRace(t *testing.T) {
	bin := buildCfgDriver(t)
	t.Run("ToolHiveTrio", func(t *testing.T) { raceToolHiveTrio(t, bin) })
	t.Run("ScopemigHoldsRemovedLock", func(t *testing.T) { raceScopemigHoldsRemovedLock(t, bin) })
	t.Run("ScopemigBesideRemovedLockHolder", func(t *testing.T) { raceScopemigBesideRemovedLockHolder(t, bin) })
	t.Run("ScopemigReadsTruncatedConfig", func(t *testing.T) { raceScopemigReadsTruncatedConfig(t, bin) })
	t.Run("ResidualFlagLoss", func(t *testing.T) { raceResidualFlagLoss(t, bin) })
	t.Run("Rate", func(t *testing.T) { raceRate(t, bin) })
}

// buildCfgDriver builds cmd/cfgdriver once per test.
func buildCfgDriver(t *testing.T) string {
	t.Helper()
	if err := sysexplore.PtraceWorks(); err != nil {
		t.Skipf("ptrace unavailable: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "cfgdriver")
	out, err := exec.Command("go", "build", "-o", bin, "./cmd/cfgdriver").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// raceConfig writes a ToolHive config with one marker and returns its path.
func raceConfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), configName)
	require.NoError(t, os.WriteFile(path, []byte(
		"secrets:\n    provider_type: encrypted\n    setup_completed: true\nregistry_url: https://r.example.invalid\nbuild_env_from_shell:\n    - "+lockMarkerSeed+"\n"), 0o600))
	return path
}

// raceResult reads the config as ToolHive's struct (no loader, no write).
func raceResult(t *testing.T, path string) thconfig.Config {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var c thconfig.Config
	require.NoError(t, yaml.Unmarshal(data, &c), "%s", data)
	require.Equal(t, "https://r.example.invalid", c.RegistryUrl, "the config was replaced")
	require.Equal(t, "encrypted", c.Secrets.ProviderType, "the config was replaced")
	return c
}

// raceToolHiveTrio reproduces the race among three ToolHive
// processes alone: A holds the lock (gated inside its update); B opens
// the lock file and is frozen on entry to its flock; A finishes (unlock,
// then remove); B's flock is granted on the now nameless inode and B
// reads the config (gated); C creates a new lock file, locks it, and
// completes its update; B writes what it read plus its own change. All
// three report success; C's update is gone. (A ToolHive finding, like
// TestLostUpdateToolHive: no peer can prevent it; see docs/security.md.)
func raceToolHiveTrio(t *testing.T, bin string) {
	path := raceConfig(t)
	a := startDriver(t, "A", bin, "thv", path, "a", "gate")
	a.waitLine(t, "in")
	flock := onSyscall("B's flock", unix.SYS_FLOCK)
	b := startTraced(t, "B", []*pausePoint{flock}, bin, "thv", path, "b", "gate")
	waitPaused(t, flock)
	a.release(t)
	a.waitLine(t, "ok")
	require.Equal(t, 0, a.finish(t))
	close(flock.resume)
	b.waitLine(t, "in") // B holds the removed inode's lock and has read the config
	c := startDriver(t, "C", bin, "thv", path, "c")
	c.waitLine(t, "ok")
	require.Equal(t, 0, c.finish(t))
	b.release(t)
	b.waitLine(t, "ok")
	require.Equal(t, 0, b.finish(t))

	got := raceResult(t, path).BuildEnvFromShell
	t.Logf("acknowledged updates a, b, c; the config holds %v", got)
	require.Equal(t, []string{lockMarkerSeed, "a", "b"}, got, "C's acknowledged update is lost (ToolHive v0.47.0's lock-file race)")
}

// raceScopemigHoldsRemovedLock: scopemig is the process that
// locks the lock file between ToolHive's unlock and its remove. A
// (ToolHive) finishes its update and is frozen on entry to the unlink of
// its lock file; scopemig locks the file (still named: its check after
// locking passes), reads the config, and is gated where it creates its
// temp file; A removes the lock file; C (ToolHive) creates a new one,
// locks it and completes its update, in place; then scopemig goes on.
// Before issue 21.4 it renamed its file over C's update (the check after
// its write saw the lock file gone and redid the write, but from the
// content it read again: its own, C's update already lost). Now the last
// check before the rename sees the lock file replaced and the config
// written since the read, drops its temp file, and redoes the whole
// read-modify-write: C's update and the flag are both kept.
func raceScopemigHoldsRemovedLock(t *testing.T, bin string) {
	path := raceConfig(t)
	unlink := onUnlinkOf(path + ".lock")
	a := startTraced(t, "A", []*pausePoint{unlink}, bin, "thv", path, "a")
	waitPaused(t, unlink) // A wrote and unlocked; its remove is pending
	s := startDriver(t, "scopemig", bin, "scopemig", path, "gate")
	s.waitLine(t, "in")
	close(unlink.resume)
	a.waitLine(t, "ok")
	require.Equal(t, 0, a.finish(t))
	c := startDriver(t, "C", bin, "thv", path, "c")
	c.waitLine(t, "ok")
	require.Equal(t, 0, c.finish(t))
	s.release(t)
	code := s.finish(t)
	require.Equal(t, 0, code, "scopemig: %s", s.errb)

	cfg := raceResult(t, path)
	require.True(t, cfg.SecretScopeMigration, "the flag")
	require.Equal(t, []string{lockMarkerSeed, "a", "c"}, cfg.BuildEnvFromShell, "ToolHive's acknowledged update C survives scopemig's write")
}

// raceScopemigBesideRemovedLockHolder: ToolHive's B holds the
// lock of a removed inode (as in raceToolHiveTrio) while scopemig
// creates a new lock file, locks it and reads the config (gated before its
// write). B writes its update in place and is frozen on entry to its
// unlink; scopemig goes on. Its lock-file checks all pass (the name is
// still scopemig's file), so before issue 21.4 its rename silently
// replaced B's update. Now the last check before the rename sees that the
// file it read was written meanwhile, and redoes the read-modify-write: B's
// update and the flag are both kept.
func raceScopemigBesideRemovedLockHolder(t *testing.T, bin string) {
	path := raceConfig(t)
	a := startDriver(t, "A", bin, "thv", path, "a", "gate")
	a.waitLine(t, "in")
	flock := onSyscall("B's flock", unix.SYS_FLOCK)
	unlink := onUnlinkOf(path + ".lock")
	b := startTraced(t, "B", []*pausePoint{flock, unlink}, bin, "thv", path, "b", "gate")
	waitPaused(t, flock)
	a.release(t)
	a.waitLine(t, "ok")
	require.Equal(t, 0, a.finish(t))
	close(flock.resume)
	b.waitLine(t, "in") // B: the removed inode's lock held, the config read
	s := startDriver(t, "scopemig", bin, "scopemig", path, "gate")
	s.waitLine(t, "in") // scopemig: a new lock file locked, the config read
	b.release(t)
	waitPaused(t, unlink) // B wrote its update in place and unlocked
	s.release(t)
	code := s.finish(t)
	require.Equal(t, 0, code, "scopemig: %s", s.errb)
	close(unlink.resume)
	b.waitLine(t, "ok")
	require.Equal(t, 0, b.finish(t))

	cfg := raceResult(t, path)
	require.True(t, cfg.SecretScopeMigration, "the flag")
	require.Equal(t, []string{lockMarkerSeed, "a", "b"}, cfg.BuildEnvFromShell, "ToolHive's acknowledged update B survives scopemig's write")
}

// raceScopemigReadsTruncatedConfig: ToolHive's B holds the lock of a
// removed inode, has opened the config for its write in place (O_TRUNC:
// the file is now empty) and is frozen on entry to the write itself;
// scopemig locks a new lock file and reads the config: empty. Before
// issue 21.4 it wrote a flag-only config and exited 0, and B's content
// then went into the replaced file: every field lost (I9). Now its last
// check before the rename finds the config open for writing (a read lease
// is refused), writes nothing, and after its retries exits 1 with "keeps
// writing". Once B has written, a new run sets the flag and keeps all.
func raceScopemigReadsTruncatedConfig(t *testing.T, bin string) {
	path := raceConfig(t)
	a := startDriver(t, "A", bin, "thv", path, "a", "gate")
	a.waitLine(t, "in")
	flock := onSyscall("B's flock", unix.SYS_FLOCK)
	write := onFileWrite("B's write of the config")
	b := startTraced(t, "B", []*pausePoint{flock, write}, bin, "thv", path, "b", "gate")
	waitPaused(t, flock)
	a.release(t)
	a.waitLine(t, "ok")
	require.Equal(t, 0, a.finish(t))
	close(flock.resume)
	b.waitLine(t, "in")
	b.release(t)
	waitPaused(t, write) // B truncated the config and has not written it yet
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Empty(t, data, "B's write in place is under way")
	s := startDriver(t, "scopemig", bin, "scopemig", path)
	require.Equal(t, 1, s.finish(t), "scopemig must not write over a config being written")
	require.Contains(t, s.errb.String(), "keeps writing the config")
	close(write.resume)
	b.waitLine(t, "ok")
	require.Equal(t, 0, b.finish(t))
	again := startDriver(t, "scopemig again", bin, "scopemig", path)
	again.waitLine(t, "ok")
	require.Equal(t, 0, again.finish(t))

	cfg := raceResult(t, path) // fails on a replaced config
	require.True(t, cfg.SecretScopeMigration)
	require.Equal(t, []string{lockMarkerSeed, "a", "b"}, cfg.BuildEnvFromShell)
}

// raceResidualFlagLoss is what no peer of ToolHive v0.47.0 can
// prevent, shown: ToolHive's B holds the lock of a removed inode and has
// read the config; scopemig locks a new lock file and completes its flag
// write (every check passes: nobody wrote the config, its lock file is
// still its own) and exits 0; then B writes what it read, without the
// flag. The flag is lost after scopemig reported it set. No ToolHive
// update is lost, nor any other field; the next run finds the flag unset,
// finds nothing to migrate (the migration is idempotent) and sets it
// again — shown here by a second scopemig run. Closing it takes a
// ToolHive that keeps its lock file (see docs/security.md).
func raceResidualFlagLoss(t *testing.T, bin string) {
	path := raceConfig(t)
	a := startDriver(t, "A", bin, "thv", path, "a", "gate")
	a.waitLine(t, "in")
	flock := onSyscall("B's flock", unix.SYS_FLOCK)
	b := startTraced(t, "B", []*pausePoint{flock}, bin, "thv", path, "b", "gate")
	waitPaused(t, flock)
	a.release(t)
	a.waitLine(t, "ok")
	require.Equal(t, 0, a.finish(t))
	close(flock.resume)
	b.waitLine(t, "in")
	s := startDriver(t, "scopemig", bin, "scopemig", path)
	s.waitLine(t, "ok")
	require.Equal(t, 0, s.finish(t))
	require.True(t, raceResult(t, path).SecretScopeMigration, "scopemig set the flag")
	b.release(t)
	b.waitLine(t, "ok")
	require.Equal(t, 0, b.finish(t))

	cfg := raceResult(t, path)
	require.False(t, cfg.SecretScopeMigration, "the residual: B's write, read before scopemig's, drops the flag")
	require.Equal(t, []string{lockMarkerSeed, "a", "b"}, cfg.BuildEnvFromShell, "no ToolHive update is lost")

	again := startDriver(t, "scopemig again", bin, "scopemig", path)
	again.waitLine(t, "ok")
	require.Equal(t, 0, again.finish(t))
	cfg = raceResult(t, path)
	require.True(t, cfg.SecretScopeMigration, "the next run sets it again")
	require.True(t, slices.Equal([]string{lockMarkerSeed, "a", "b"}, cfg.BuildEnvFromShell))
}
