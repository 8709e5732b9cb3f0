package fslock_test

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

	"github.com/scopemig/scopemig/impl/fslock"
)

const (
	helperEnv     = "FSLOCK_TEST_HELPER_DIR"
	helperFileEnv = "FSLOCK_TEST_HELPER_FILE" // the child locks this file with AcquireFile
)

// TestMain lets the test binary act as a second process that holds the
// lock: it locks the directory (or, with helperFileEnv, the lock file), prints "locked", and waits for stdin to
// close (or to be killed).
func TestMain(m *testing.M) {
	if dir, file := os.Getenv(helperEnv), os.Getenv(helperFileEnv); dir != "" || file != "" {
		acquire, target := fslock.Acquire, dir
		if file != "" {
			acquire, target = fslock.AcquireFile, file
		}
		release, err := acquire(context.Background(), afero.NewOsFs(), target)
		if err != nil {
			os.Stdout.WriteString("error\n")
			os.Exit(2)
		}
		os.Stdout.WriteString("locked\n")
		_, _ = io.Copy(io.Discard, os.Stdin)
		if err := release(); err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func tryLock(t *testing.T, fsys afero.Fs, dir string, wait time.Duration) (func() error, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return fslock.Acquire(ctx, fsys, dir)
}

func TestAcquireOsFsGoroutines(t *testing.T) {
	dir := t.TempDir()
	osfs := afero.NewOsFs()
	release, err := fslock.Acquire(context.Background(), osfs, dir)
	require.NoError(t, err)

	// Separate descriptors conflict even inside one process.
	_, err = tryLock(t, osfs, dir, 30*time.Millisecond)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	got := make(chan error, 1)
	go func() {
		r, err := fslock.Acquire(context.Background(), osfs, dir)
		if err == nil {
			err = r()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("second locker got the lock while it was held: %v", err)
	case <-time.After(30 * time.Millisecond):
	}
	require.NoError(t, release())
	require.NoError(t, release(), "release is idempotent")
	select {
	case err := <-got:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("waiter never got the released lock")
	}

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "locking must create no file")
}

func TestAcquireOsFsMissingDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	_, err := fslock.Acquire(context.Background(), afero.NewOsFs(), dir)
	require.ErrorIs(t, err, fs.ErrNotExist)
	_, statErr := os.Stat(dir)
	require.ErrorIs(t, statErr, fs.ErrNotExist, "nothing created")
}

func TestAcquireBasePathFs(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, "store"), 0o700))
	base := afero.NewBasePathFs(afero.NewOsFs(), root)

	release, err := fslock.Acquire(context.Background(), base, "/store")
	require.NoError(t, err)
	// The same real directory through the plain OsFs is held.
	_, err = tryLock(t, afero.NewOsFs(), filepath.Join(root, "store"), 30*time.Millisecond)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NoError(t, release())
	r2, err := tryLock(t, afero.NewOsFs(), filepath.Join(root, "store"), time.Second)
	require.NoError(t, err)
	require.NoError(t, r2())
}

func TestAcquireMemMapFsIsNoop(t *testing.T) {
	mem := afero.NewMemMapFs()
	r1, err := fslock.Acquire(context.Background(), mem, "/d")
	require.NoError(t, err)
	r2, err := tryLock(t, mem, "/d", 10*time.Millisecond)
	require.NoError(t, err, "a plain MemMapFs has no shared lock")
	require.NoError(t, r1())
	require.NoError(t, r2())

	over := afero.NewBasePathFs(afero.NewMemMapFs(), "/root")
	require.NoError(t, over.MkdirAll("/d", 0o700))
	r3, err := fslock.Acquire(context.Background(), over, "/d")
	require.NoError(t, err)
	require.NoError(t, r3())
}

func TestAcquireWithLocker(t *testing.T) {
	shared := fslock.WithLocker(afero.NewMemMapFs())
	release, err := fslock.Acquire(context.Background(), shared, "/d/")
	require.NoError(t, err)
	_, err = tryLock(t, shared, "/d", 20*time.Millisecond)
	require.ErrorIs(t, err, context.DeadlineExceeded, "names are cleaned")
	require.NoError(t, release())
	r2, err := tryLock(t, shared, "/d", time.Second)
	require.NoError(t, err)
	require.NoError(t, r2())

	// The wrapper keeps Lstat when the wrapped Fs has it.
	dir := t.TempDir()
	require.NoError(t, os.Symlink("nowhere", filepath.Join(dir, "link")))
	fi, lstatted, err := fslock.WithLocker(afero.NewOsFs()).LstatIfPossible(filepath.Join(dir, "link"))
	require.NoError(t, err)
	require.True(t, lstatted)
	require.Equal(t, fs.ModeSymlink, fi.Mode().Type())
}

// startHolder starts a child process that holds the lock of dir.
func startHolder(t *testing.T, dir string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	return startHolderEnv(t, helperEnv+"="+dir)
}

// startHolderEnv starts a child process that takes the lock env names.
func startHolderEnv(t *testing.T, env string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), env)
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

func TestAcquireAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	osfs := afero.NewOsFs()

	cmd, stdin := startHolder(t, dir)
	_, err := tryLock(t, osfs, dir, 50*time.Millisecond)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the child holds the lock")

	require.NoError(t, stdin.Close()) // child releases and exits
	require.NoError(t, cmd.Wait())
	release, err := tryLock(t, osfs, dir, 5*time.Second)
	require.NoError(t, err)

	// And the other way round: the child blocks while we hold it.
	exe, err := os.Executable()
	require.NoError(t, err)
	child := exec.Command(exe, "-test.run=^$")
	child.Env = append(os.Environ(), helperEnv+"="+dir)
	out, err := child.StdoutPipe()
	require.NoError(t, err)
	childIn, err := child.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, child.Start())
	lines := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		lines <- l
	}()
	select {
	case l := <-lines:
		t.Fatalf("child locked while the parent held the lock: %q", l)
	case <-time.After(50 * time.Millisecond):
	}
	require.NoError(t, release())
	select {
	case l := <-lines:
		require.Equal(t, "locked\n", l)
	case <-time.After(5 * time.Second):
		t.Fatal("child never got the lock")
	}
	require.NoError(t, childIn.Close())
	require.NoError(t, child.Wait())
}

func TestAcquireReleasedWhenHolderDies(t *testing.T) {
	dir := t.TempDir()
	cmd, _ := startHolder(t, dir)
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	release, err := tryLock(t, afero.NewOsFs(), dir, 5*time.Second)
	require.NoError(t, err)
	require.NoError(t, release())
}
