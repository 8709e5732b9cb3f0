//go:build unix

package fslock_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/scopemig/scopemig/impl/fslock"
)

func tryLockFile(t *testing.T, fsys afero.Fs, path string, wait time.Duration) (func() error, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return fslock.AcquireFile(ctx, fsys, path)
}

// rawFlock locks path as gofrs/flock (ToolHive) does: O_CREATE, flock(2).
func rawFlock(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	require.NoError(t, err)
	require.NoError(t, unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB))
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func TestAcquireFileOsFs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.lock")
	osfs := afero.NewOsFs()
	release, err := fslock.AcquireFile(context.Background(), osfs, path)
	require.NoError(t, err)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	_, err = tryLockFile(t, osfs, path, 30*time.Millisecond)
	require.ErrorIs(t, err, context.DeadlineExceeded, "a second descriptor is excluded")
	// A gofrs/flock-style locker (ToolHive) is excluded too.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	require.ErrorIs(t, unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB), unix.EWOULDBLOCK)

	require.NoError(t, release())
	require.NoError(t, release(), "release is idempotent")
	_, err = os.Stat(path)
	require.NoError(t, err, "the lock file is never removed")
	require.NoError(t, unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB), "released")
	require.NoError(t, unix.Flock(int(f.Fd()), unix.LOCK_UN))
}

func TestAcquireFileMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "s.lock")
	_, err := fslock.AcquireFile(context.Background(), afero.NewOsFs(), path)
	require.ErrorIs(t, err, fs.ErrNotExist)
}

// ToolHive removes its lock file on release: a waiter whose granted lock is
// on a removed inode must retry on the new file, not trust the stale lock.
func TestAcquireFileHolderRemovesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.lock")
	holder := rawFlock(t, path)
	got := make(chan func() error, 1)
	go func() {
		r, err := fslock.AcquireFile(context.Background(), afero.NewOsFs(), path)
		if err != nil {
			r = nil
		}
		got <- r
	}()
	select {
	case <-got:
		t.Fatal("AcquireFile got the lock while another descriptor held it")
	case <-time.After(50 * time.Millisecond):
	}
	// Remove the name while the waiter is blocked on the old inode, then
	// release: the waiter's flock is granted on a nameless inode.
	require.NoError(t, os.Remove(path))
	require.NoError(t, holder.Close())
	var release func() error
	select {
	case release = <-got:
		require.NotNil(t, release)
	case <-time.After(5 * time.Second):
		t.Fatal("waiter never got the lock")
	}
	// The lock now held is the one on the file named path.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err, "the file was recreated")
	defer f.Close()
	require.ErrorIs(t, unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB), unix.EWOULDBLOCK,
		"the lock is on the inode path names")
	require.NoError(t, release())
}

func TestAcquireFileAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.lock")
	cmd, stdin := startHolderEnv(t, helperFileEnv+"="+path)
	_, err := tryLockFile(t, afero.NewOsFs(), path, 50*time.Millisecond)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the child holds the lock")
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait())
	release, err := tryLockFile(t, afero.NewOsFs(), path, 5*time.Second)
	require.NoError(t, err)
	require.NoError(t, release())
}

func TestAcquireFileBasePathFs(t *testing.T) {
	root := t.TempDir()
	base := afero.NewBasePathFs(afero.NewOsFs(), root)
	release, err := fslock.AcquireFile(context.Background(), base, "/s.lock")
	require.NoError(t, err)
	_, err = tryLockFile(t, afero.NewOsFs(), filepath.Join(root, "s.lock"), 30*time.Millisecond)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the same real file is held")
	require.NoError(t, release())
}

// On a filesystem with its own Locker (a simulated disk) the lock file is
// that Locker's lock of the same name: held against every other process on
// it, separate from the directory lock, and no file is created.
func TestAcquireFileLocker(t *testing.T) {
	fsys := fslock.WithLocker(afero.NewMemMapFs())
	require.NoError(t, fsys.MkdirAll("/d", 0o700))
	r1, err := fslock.AcquireFile(context.Background(), fsys, "/d/s.lock")
	require.NoError(t, err)
	_, err = tryLockFile(t, fsys, "/d/s.lock", 10*time.Millisecond)
	require.ErrorIs(t, err, context.DeadlineExceeded, "held")
	rd, err := tryLock(t, fsys, "/d", 10*time.Millisecond)
	require.NoError(t, err, "the directory lock is another lock")
	require.NoError(t, rd())
	require.NoError(t, r1())
	r2, err := tryLockFile(t, fsys, "/d/s.lock", time.Second)
	require.NoError(t, err)
	require.NoError(t, r2())
	_, err = fsys.Stat("/d/s.lock")
	require.ErrorIs(t, err, fs.ErrNotExist, "no lock file on an in-memory Fs")
}

func TestAcquireFileInMemoryIsNoop(t *testing.T) {
	for name, fsys := range map[string]afero.Fs{
		"memmap":   afero.NewMemMapFs(),
		"basepath": afero.NewBasePathFs(afero.NewMemMapFs(), "/root"),
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, fsys.MkdirAll("/d", 0o700))
			r1, err := fslock.AcquireFile(context.Background(), fsys, "/d/s.lock")
			require.NoError(t, err)
			r2, err := tryLockFile(t, fsys, "/d/s.lock", 10*time.Millisecond)
			require.NoError(t, err, "no-op")
			require.NoError(t, r1())
			require.NoError(t, r2())
			_, err = fsys.Stat("/d/s.lock")
			require.ErrorIs(t, err, fs.ErrNotExist, "no lock file on an in-memory Fs")
		})
	}
}
