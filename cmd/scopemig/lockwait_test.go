package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/fslock"
)

// holdLockEnv makes the test binary a second process that holds the flock
// of the lock file it names, as ToolHive (gofrs/flock) holds
// "secrets_encrypted.lock": it prints "locked", then waits for stdin to
// close.
const holdLockEnv = "SCOPEMIG_TEST_HOLD_LOCK"

func holdLock(path string) int {
	acquire := fslock.AcquireFile
	if dir, ok := strings.CutPrefix(path, "dir:"); ok { // another scopemig: the directory lock
		acquire, path = fslock.Acquire, dir
	}
	release, err := acquire(context.Background(), afero.NewOsFs(), path)
	if err != nil {
		os.Stdout.WriteString("error\n")
		return 2
	}
	os.Stdout.WriteString("locked\n")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if release() != nil {
		return 3
	}
	return 0
}

// startLockHolder starts a child process holding the flock of path (or,
// for "dir:<dir>", the directory lock of <dir>) and returns its stdin:
// closing it releases the lock.
func startLockHolder(t *testing.T, path string) io.WriteCloser {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdLockEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "locked\n", line)
	return stdin
}

// runAll is run without run's rule that a command prints nothing on
// stderr itself: it returns stdout, everything on stderr (notices first,
// then the error line main would print) and the exit status.
func runAll(t *testing.T, newCmd func(cliEnv) *cobra.Command, env cliEnv, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := newCmd(env)
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code = writeError(&errb, cmd.ExecuteContext(ctx))
	return out.String(), errb.String(), code
}

// While another process (ToolHive, say) holds the store's lock file,
// migrate announces the wait on stderr after about a second and gives up
// after --lock-timeout with exit 1 and nothing written; once the lock is
// released it migrates.
func TestMigrateLockWaitAndTimeout(t *testing.T) {
	osfs := afero.NewOsFs()
	dir := install(t, osfs, t.TempDir())
	store, cfg := filepath.Join(dir, "secrets_encrypted"), filepath.Join(dir, "config.yaml")
	lock := store + ".lock"
	release := startLockHolder(t, lock)

	before := tree(t, dir)
	args := []string{"--secrets-file", store, "--config", cfg, "--lock-timeout", "1500ms"}
	out, errOut, code := runAll(t, newMigrateCmdEnv, testEnv(osfs, pwEnv()), args...)
	require.Equal(t, 1, code)
	require.Empty(t, out)
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	require.Len(t, lines, 2, errOut)
	require.Equal(t, "scopemig: waiting for the lock file "+lock+" (held by another process; --lock-timeout 1.5s)", lines[0])
	require.True(t, strings.HasPrefix(lines[1], "scopemig: migrate "+store+": "), lines[1])
	require.Contains(t, lines[1], "timed out waiting for a lock held by another process: lock file "+lock+" not granted within 1.5s")
	require.Equal(t, before, tree(t, dir), "not one byte written")

	require.NoError(t, release.Close())
	out, errOut, code = runAll(t, newMigrateCmdEnv, testEnv(osfs, pwEnv()), args...)
	require.Equal(t, 0, code, errOut)
	require.Empty(t, errOut, "a free lock is not announced")
	require.Contains(t, out, "flag set in "+cfg)
}
