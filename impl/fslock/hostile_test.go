//go:build unix

package fslock_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/impl/internal/fstest"
)

// notices records the locks Wait.Notify announced.
type notices struct {
	mu    sync.Mutex
	locks []string
}

func (n *notices) notify(lock string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.locks = append(n.locks, lock)
}

func (n *notices) get() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.locks...)
}

// A lock held by another process: the wait is announced once after
// NotifyAfter and ends with ErrTimeout after Timeout; once the holder is
// gone the lock is granted with no announcement.
func TestWaitAnnouncesAndTimesOut(t *testing.T) {
	for _, kind := range []string{"file", "dir"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			lockPath := filepath.Join(dir, "secrets_encrypted.lock")
			acquire, target, env, want := fslock.AcquireFile, lockPath, helperFileEnv+"="+lockPath, "lock file "+lockPath
			if kind == "dir" {
				acquire, target, env, want = fslock.Acquire, dir, helperEnv+"="+dir, "lock on directory "+dir
			}
			_, stdin := startHolderEnv(t, env)

			var n notices
			ctx := fslock.WithWait(context.Background(), fslock.Wait{Notify: n.notify, NotifyAfter: 50 * time.Millisecond, Timeout: 400 * time.Millisecond})
			_, err := acquire(ctx, afero.NewOsFs(), target)
			require.ErrorIs(t, err, fslock.ErrTimeout)
			require.Contains(t, err.Error(), want)
			require.Equal(t, []string{want}, n.get(), "announced exactly once")

			require.NoError(t, stdin.Close()) // the holder releases and exits
			var free notices
			ctx = fslock.WithWait(context.Background(), fslock.Wait{Notify: free.notify, NotifyAfter: 2 * time.Second, Timeout: 10 * time.Second})
			release, err := acquire(ctx, afero.NewOsFs(), target)
			require.NoError(t, err)
			require.NoError(t, release())
			require.Empty(t, free.get(), "a lock granted before NotifyAfter is not announced")
		})
	}
}

// A parent context's own deadline is not reported as a lock timeout.
func TestWaitParentDeadlineIsNotTimeout(t *testing.T) {
	dir := t.TempDir()
	_, _ = startHolderEnv(t, helperEnv+"="+dir)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	ctx = fslock.WithWait(ctx, fslock.Wait{Timeout: time.Hour})
	_, err := fslock.Acquire(ctx, afero.NewOsFs(), dir)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotErrorIs(t, err, fslock.ErrTimeout)
}

// Anything but a regular file at the lock file's name is refused before it
// is opened: no symlink is followed (a dangling one would create its
// target), no FIFO blocks, and no byte, mode or entry changes.
func TestLockFileRefusesNonRegular(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, lock, victim string)
	}{
		{"symlink to an unrelated file", func(t *testing.T, lock, victim string) { require.NoError(t, os.Symlink(victim, lock)) }},
		{"dangling symlink", func(t *testing.T, lock, victim string) { require.NoError(t, os.Symlink(victim+"-new", lock)) }},
		{"FIFO", func(t *testing.T, lock, _ string) { require.NoError(t, syscall.Mkfifo(lock, 0o600)) }},
		{"directory", func(t *testing.T, lock, _ string) { require.NoError(t, os.Mkdir(lock, 0o700)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			victim := filepath.Join(root, "victim")
			require.NoError(t, os.WriteFile(victim, []byte("precious"), 0o644))
			lock := filepath.Join(root, "secrets_encrypted.lock")
			tc.plant(t, lock, victim)
			before, err := fstest.Tree(root)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err = fslock.AcquireFile(ctx, afero.NewOsFs(), lock)
			require.ErrorIs(t, err, fslock.ErrNotRegular)
			after, err := fstest.Tree(root)
			require.NoError(t, err)
			require.Equal(t, before, after)
		})
	}
}

// A lock file root creates in another user's directory belongs to that
// user; an existing one keeps its owner.
func TestLockFileOwnerAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown files to another uid (CI runs as root)")
	}
	dir := t.TempDir()
	require.NoError(t, os.Chown(dir, 4242, 4343))
	lock := filepath.Join(dir, "secrets_encrypted.lock")
	release, err := fslock.AcquireFile(context.Background(), afero.NewOsFs(), lock)
	require.NoError(t, err)
	require.NoError(t, release())
	fi, err := os.Lstat(lock)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	require.Equal(t, [2]uint32{4242, 4343}, [2]uint32{st.Uid, st.Gid})
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// A root-owned lock file left in the user's directory is given back.
	require.NoError(t, os.Chown(lock, 0, 0))
	release, err = fslock.AcquireFile(context.Background(), afero.NewOsFs(), lock)
	require.NoError(t, err)
	require.NoError(t, release())
	fi, err = os.Lstat(lock)
	require.NoError(t, err)
	st = fi.Sys().(*syscall.Stat_t)
	require.Equal(t, [2]uint32{4242, 4343}, [2]uint32{st.Uid, st.Gid}, "healed")

	// A lock file of a third user is left as it is.
	require.NoError(t, os.Chown(lock, 5151, 5151))
	release, err = fslock.AcquireFile(context.Background(), afero.NewOsFs(), lock)
	require.NoError(t, err)
	require.NoError(t, release())
	fi, err = os.Lstat(lock)
	require.NoError(t, err)
	st = fi.Sys().(*syscall.Stat_t)
	require.Equal(t, [2]uint32{5151, 5151}, [2]uint32{st.Uid, st.Gid}, "not root's: kept")
}
