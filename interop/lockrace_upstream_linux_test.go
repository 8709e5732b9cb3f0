//go:build linux && amd64

package interop

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/scopemig/scopemig/harness/sysexplore"
)

// TestLockRaceUpstreamPatched runs the two schedules no peer can close
// (raceToolHiveTrio, raceResidualFlagLoss) against ToolHive v0.47.0 with
// the upstream patch series applied (interop/upstream, docs/upstream.md;
// 0007 keeps the lock file, so every writer locks the same inode). The
// same freezes are applied; the writer that ran beside the lock holder on
// v0.47.0 now waits for it:
//
//   - the trio: C, started while B holds the lock, cannot get it and
//     gives up with ToolHive's own "failed to acquire lock" after its 1 s
//     timeout (it acknowledged nothing, so nothing is lost); A's and B's
//     updates are both kept;
//   - the residual: scopemig, started while B holds the lock, is refused
//     the lock (it is caught retrying: on v0.47.0 it never retries, it
//     locks a new file and finishes, and this waits in vain), then reads
//     B's update and sets the flag: the flag and every update are kept.
func TestLockRaceUpstreamPatched(t *testing.T) {
	if err := sysexplore.PtraceWorks(); err != nil {
		t.Skipf("ptrace unavailable: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "cfgdriver")
	mod := patchedModule(t, upstreamPatches(t))
	out, err := exec.Command("go", "build", "-modfile="+mod, "-o", bin, "./cmd/cfgdriver").CombinedOutput()
	require.NoError(t, err, "%s", out)

	t.Run("ToolHiveTrio", func(t *testing.T) {
		path := raceConfig(t)
		a, b := patchedHolder(t, bin, path)
		c := startDriver(t, "C", bin, "thv", path, "c")
		require.Equal(t, 1, c.finish(t), "C must not get the lock B holds")
		require.Contains(t, c.errb.String(), "failed to acquire lock")
		b.release(t)
		b.waitLine(t, "ok")
		require.Equal(t, 0, b.finish(t))
		require.Equal(t, 0, a.finish(t))
		require.Equal(t, []string{lockMarkerSeed, "a", "b"}, raceResult(t, path).BuildEnvFromShell)
	})
	t.Run("ResidualFlagLoss", func(t *testing.T) {
		path := raceConfig(t)
		_, b := patchedHolder(t, bin, path)
		// scopemig takes its directory lock, then tries ToolHive's lock
		// file: a third non-blocking flock means the second was refused.
		retry := onNthFlockTry("scopemig's retry of the lock file", 3)
		s := startTraced(t, "scopemig", []*pausePoint{retry}, bin, "scopemig", path)
		waitPaused(t, retry) // scopemig waits for B: it did not run beside it
		close(retry.resume)
		b.release(t)
		b.waitLine(t, "ok")
		require.Equal(t, 0, b.finish(t))
		s.waitLine(t, "ok")
		require.Equal(t, 0, s.finish(t))
		cfg := raceResult(t, path)
		require.True(t, cfg.SecretScopeMigration, "the flag is kept")
		require.Equal(t, []string{lockMarkerSeed, "a", "b"}, cfg.BuildEnvFromShell)
	})
}

// patchedHolder runs the opening of both schedules: A holds the lock
// (gated); B opens the lock file and is frozen on entry to its flock; A
// finishes; B's flock is granted and B stops inside its update, holding
// the lock.
func patchedHolder(t *testing.T, bin, path string) (a, b *driver) {
	t.Helper()
	a = startDriver(t, "A", bin, "thv", path, "a", "gate")
	a.waitLine(t, "in")
	flock := onSyscall("B's flock", unix.SYS_FLOCK)
	b = startTraced(t, "B", []*pausePoint{flock}, bin, "thv", path, "b", "gate")
	waitPaused(t, flock)
	a.release(t)
	a.waitLine(t, "ok")
	close(flock.resume)
	b.waitLine(t, "in")
	return a, b
}

// onNthFlockTry pauses on entry to the n-th flock(fd, LOCK_EX|LOCK_NB).
func onNthFlockTry(what string, n int) *pausePoint {
	seen := 0
	return &pausePoint{what: what, paused: make(chan struct{}), resume: make(chan struct{}),
		match: func(_ int, r *unix.PtraceRegs) bool {
			if r.Orig_rax == unix.SYS_FLOCK && r.Rsi == unix.LOCK_EX|unix.LOCK_NB {
				seen++
			}
			return seen == n
		}}
}
