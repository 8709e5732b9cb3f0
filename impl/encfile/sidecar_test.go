package encfile_test

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
)

// toolhiveHolderEnv makes the test binary a ToolHive-like lock holder.
const toolhiveHolderEnv = "ENCFILE_TEST_TOOLHIVE_LOCK"

// toolhiveHolder makes the test binary (see TestMain) another process that
// holds a lock file the way ToolHive v0.47.0 does (gofrs/flock:
// O_CREATE|O_RDWR 0600, flock LOCK_EX): it prints "locked", waits for stdin
// to close, then unlocks and removes the file, as ToolHive's
// ReleaseTrackedLock does.
func toolhiveHolder(path string) int {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil || flockExclusive(f) != nil {
		os.Stdout.WriteString("error\n")
		return 2
	}
	os.Stdout.WriteString("locked\n")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = flockRelease(f)
	_ = os.Remove(path)
	return 0
}

func startToolHiveHolder(t *testing.T, lockPath string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	if !haveFlock {
		t.Skip("no flock(2) on this system: ToolHive's lock is a Unix flock")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), toolhiveHolderEnv+"="+lockPath)
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
	return cmd, stdin
}

// A process holding ToolHive's "<path>.lock" blocks every encfile write
// until it releases (and removes) the file; the write then proceeds.
func TestWritesBlockOnToolHiveLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets_encrypted")
	s, err := encfile.Open(afero.NewOsFs(), path, password)
	require.NoError(t, err)
	require.NoError(t, s.SetSecret(ctx, "a", "1"))

	cmd, stdin := startToolHiveHolder(t, path+encfile.LockFileSuffix)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	for name, write := range map[string]func(context.Context) error{
		"Update": func(c context.Context) error {
			return s.Update(c, func(m map[string]string) error { m["b"] = "2"; return nil })
		},
		"SetSecret":     func(c context.Context) error { return s.SetSecret(c, "b", "2") },
		"DeleteSecret":  func(c context.Context) error { return s.DeleteSecret(c, "a") },
		"DeleteSecrets": func(c context.Context) error { return s.DeleteSecrets(c, []string{"a"}) },
	} {
		require.ErrorIs(t, write(short), context.DeadlineExceeded, "%s ran while ToolHive held the lock", name)
	}
	got, err := s.Snapshot(ctx)
	require.NoError(t, err, "reads do not take the sidecar lock")
	require.Equal(t, map[string]string{"a": "1"}, got, "nothing written")

	done := make(chan error, 1)
	go func() {
		done <- s.Update(ctx, func(m map[string]string) error { m["b"] = "2"; return nil })
	}()
	select {
	case err := <-done:
		t.Fatalf("Update returned while ToolHive held the lock: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	require.NoError(t, stdin.Close()) // unlock and remove the file
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Update never got the released lock")
	}
	require.NoError(t, cmd.Wait())
	got, err = s.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a": "1", "b": "2"}, got)
	_, err = os.Stat(path + encfile.LockFileSuffix)
	require.NoError(t, err, "the write recreated the lock file ToolHive removed, and keeps it")

	// Cleanup takes the lock too.
	_, stdin = startToolHiveHolder(t, path+encfile.LockFileSuffix)
	cleaned := make(chan error, 1)
	go func() { cleaned <- s.Cleanup() }()
	select {
	case err := <-cleaned:
		t.Fatalf("Cleanup returned while ToolHive held the lock: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	require.NoError(t, stdin.Close())
	select {
	case err := <-cleaned:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Cleanup never got the released lock")
	}
}

// Open and reads on a real directory create no lock file (a read-only
// command or a failed Open writes nothing); the first write does.
func TestOpenAndReadsCreateNoLockFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets_encrypted")
	require.NoError(t, os.WriteFile(path, fixtureFile(t), 0o600))
	before := treeSnapshot(t, dir)

	s, err := encfile.Open(afero.NewOsFs(), path, password)
	require.NoError(t, err)
	_, err = s.ListSecrets(ctx)
	require.NoError(t, err)
	_, err = s.Snapshot(ctx)
	require.NoError(t, err)
	_, err = s.GetSecret(ctx, "no-such-key")
	require.Error(t, err)
	_, err = encfile.Open(afero.NewOsFs(), path, []byte("wrong password"))
	require.ErrorIs(t, err, encfile.ErrDecrypt)
	require.Equal(t, before, treeSnapshot(t, dir), "Open and reads wrote nothing")
	_, err = os.Stat(path + encfile.LockFileSuffix)
	require.ErrorIs(t, err, fs.ErrNotExist)

	// An Update that changes nothing still locks, so it creates the file.
	require.NoError(t, s.Update(ctx, func(map[string]string) error { return nil }))
	_, err = os.Stat(path + encfile.LockFileSuffix)
	require.NoError(t, err)
}
