package faults_test

import (
	"math/rand/v2"
	"os"
	"syscall"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
)

func syncDir(t testing.TB, fsys afero.Fs, dir string) {
	t.Helper()
	d, err := fsys.Open(dir)
	require.NoError(t, err)
	require.NoError(t, d.Sync())
	require.NoError(t, d.Close())
}

// writeSynced creates name with content and fsyncs the file (not its
// directory).
func writeSynced(t testing.TB, fsys afero.Fs, name, content string) {
	t.Helper()
	f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	require.NoError(t, err)
	_, err = f.Write([]byte(content))
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
}

func exists(m *faults.MemFS, name string) bool {
	_, err := m.Stat(name)
	return err == nil
}

func content(t testing.TB, m *faults.MemFS, name string) string {
	t.Helper()
	b, err := afero.ReadFile(m, name)
	require.NoError(t, err)
	return string(b)
}

// durableDisk returns a disk with /d made durable.
func durableDisk(t testing.TB) *faults.MemFS {
	t.Helper()
	m := faults.NewMemFS()
	require.NoError(t, m.Mkdir("/d", 0o700))
	syncDir(t, m, "/")
	return m
}

func TestPowerNeedsDirSync(t *testing.T) {
	m := durableDisk(t)
	writeSynced(t, m, "/d/f", "data")

	img := m.CrashImage(faults.Power, nil)
	require.False(t, exists(img, "/d/f"), "entry not durable before the dir sync")
	require.Equal(t, "data", content(t, m.CrashImage(faults.Process, nil), "/d/f"))

	syncDir(t, m, "/d")
	img = m.CrashImage(faults.Power, nil)
	require.Equal(t, "data", content(t, img, "/d/f"))
	fi, err := img.Stat("/d/f")
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode())
}

func TestPowerMkdirNeedsParentSync(t *testing.T) {
	m := faults.NewMemFS()
	require.NoError(t, m.MkdirAll("/a/b", 0o700))
	syncDir(t, m, "/a")
	img := m.CrashImage(faults.Power, nil)
	require.False(t, exists(img, "/a"), "root not synced")
	syncDir(t, m, "/")
	img = m.CrashImage(faults.Power, nil)
	require.True(t, exists(img, "/a/b"))
}

func TestPowerUnsyncedDataLost(t *testing.T) {
	m := durableDisk(t)
	f, err := m.Create("/d/f")
	require.NoError(t, err)
	syncDir(t, m, "/d") // entry durable, data never synced
	_, err = f.Write([]byte("unsynced"))
	require.NoError(t, err)
	require.NoError(t, f.Close())

	require.Equal(t, "", content(t, m.CrashImage(faults.Power, nil), "/d/f"))
	require.Equal(t, "unsynced", content(t, m.CrashImage(faults.Process, nil), "/d/f"))
	require.Equal(t, "unsynced", content(t, m.CrashImage(faults.Torn, nil), "/d/f"))

	// A later unsynced overwrite of synced data reverts to the synced data.
	f, err = m.OpenFile("/d/f", os.O_RDWR, 0)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	_, err = f.WriteAt([]byte("XX"), 0)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(4))
	require.NoError(t, f.Close())
	require.Equal(t, "XXsy", content(t, m, "/d/f"))
	require.Equal(t, "unsynced", content(t, m.CrashImage(faults.Power, nil), "/d/f"))
}

func TestPowerRenameWithoutDirSync(t *testing.T) {
	m := durableDisk(t)
	writeSynced(t, m, "/d/store", "old")
	syncDir(t, m, "/d")
	writeSynced(t, m, "/d/.tmp", "new")
	require.NoError(t, m.Rename("/d/.tmp", "/d/store"))
	require.Equal(t, "new", content(t, m, "/d/store"))

	img := m.CrashImage(faults.Power, nil)
	require.Equal(t, "old", content(t, img, "/d/store"), "rename not durable")
	require.False(t, exists(img, "/d/.tmp"))

	syncDir(t, m, "/d")
	img = m.CrashImage(faults.Power, nil)
	require.Equal(t, "new", content(t, img, "/d/store"))
	require.False(t, exists(img, "/d/.tmp"))
}

func TestPowerRemoveUndone(t *testing.T) {
	m := durableDisk(t)
	writeSynced(t, m, "/d/f", "keep")
	syncDir(t, m, "/d")
	require.NoError(t, m.Remove("/d/f"))
	require.NoError(t, m.RemoveAll("/d"))
	require.False(t, exists(m, "/d"))
	img := m.CrashImage(faults.Power, nil)
	require.Equal(t, "keep", content(t, img, "/d/f"))
}

func TestPowerChmodNeedsFileSync(t *testing.T) {
	m := durableDisk(t)
	writeSynced(t, m, "/d/f", "x")
	syncDir(t, m, "/d")
	require.NoError(t, m.Chmod("/d/f", 0o644))
	fi, err := m.CrashImage(faults.Power, nil).Stat("/d/f")
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode())
	f, err := m.Open("/d/f")
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
	fi, err = m.CrashImage(faults.Power, nil).Stat("/d/f")
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), fi.Mode())
}

func TestCrossDirRename(t *testing.T) {
	m := faults.NewMemFS()
	require.NoError(t, m.Mkdir("/a", 0o700))
	require.NoError(t, m.Mkdir("/b", 0o700))
	syncDir(t, m, "/")
	writeSynced(t, m, "/a/f", "v")
	syncDir(t, m, "/a")
	require.NoError(t, m.Rename("/a/f", "/b/f"))

	syncDir(t, m, "/b") // only the destination: both names persist
	img := m.CrashImage(faults.Power, nil)
	require.Equal(t, "v", content(t, img, "/a/f"))
	require.Equal(t, "v", content(t, img, "/b/f"))

	syncDir(t, m, "/a")
	img = m.CrashImage(faults.Power, nil)
	require.False(t, exists(img, "/a/f"))
	require.Equal(t, "v", content(t, img, "/b/f"))
}

// atomicReplace is the classic durable replace, on any Fs.
func atomicReplace(t *testing.T, fsys afero.Fs, dir, name, data string) error {
	t.Helper()
	tmp := dir + "/." + name + ".tmp"
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write([]byte(data)); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := fsys.Rename(tmp, dir+"/"+name); err != nil {
		return err
	}
	d, err := fsys.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		return err
	}
	return d.Close()
}

func TestPowerPartialDeterministic(t *testing.T) {
	m := durableDisk(t)
	for i, v := range []string{"one", "two", "three"} {
		f, err := m.OpenFile("/d/f", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		require.NoError(t, err)
		_, err = f.Write([]byte(v))
		require.NoError(t, err)
		require.NoError(t, f.Close())
		require.NoError(t, m.Mkdir("/d/sub"+string(rune('0'+i)), 0o700))
	}
	seen := map[string]bool{}
	for seed := range uint64(64) {
		a := m.CrashImage(faults.PowerPartial, rand.New(rand.NewPCG(seed, 1)))
		b := m.CrashImage(faults.PowerPartial, rand.New(rand.NewPCG(seed, 1)))
		require.Equal(t, a.Files(), b.Files(), "seed %d", seed)
		require.Equal(t, a.String(), b.String())
		seen[a.String()+"|"+string(a.Files()["/d/f"].Data)] = true
		// Every image is a prefix: the data is a prefix of the final data.
		if e, ok := a.Files()["/d/f"]; ok {
			require.Contains(t, []string{"", "one", "onetwo", "onetwothree"}, string(e.Data))
		}
		// Directory changes persist in order: sub2 only with sub1, sub1 only with sub0.
		files := a.Files()
		if _, ok := files["/d/sub2"]; ok {
			require.Contains(t, files, "/d/sub1")
		}
		if _, ok := files["/d/sub1"]; ok {
			require.Contains(t, files, "/d/sub0")
		}
	}
	require.Greater(t, len(seen), 4, "seeds should give different images")
	require.Equal(t, m.Files(), m.CrashImage(faults.Process, nil).Files(), "images leave the disk unchanged")
}

func TestPowerPartialAtomicRenameInDir(t *testing.T) {
	// A rename inside one directory is one change: the image shows the
	// old file or the new one, never neither or a torn mixture.
	m := durableDisk(t)
	writeSynced(t, m, "/d/store", "old")
	syncDir(t, m, "/d")
	writeSynced(t, m, "/d/.tmp", "new")
	require.NoError(t, m.Rename("/d/.tmp", "/d/store"))
	seen := map[string]bool{}
	for seed := range uint64(32) {
		img := m.CrashImage(faults.PowerPartial, rand.New(rand.NewPCG(seed, 2)))
		s := content(t, img, "/d/store")
		require.Contains(t, []string{"old", "new"}, s)
		seen[s] = true
	}
	require.Len(t, seen, 2)
}

func TestImageIsDurable(t *testing.T) {
	m := durableDisk(t)
	f, err := m.Create("/d/f")
	require.NoError(t, err)
	_, err = f.Write([]byte("live"))
	require.NoError(t, err)
	img := m.CrashImage(faults.Process, nil)
	// Everything in an image is durable: a power loss of the image keeps it.
	require.Equal(t, "live", content(t, img.CrashImage(faults.Power, nil), "/d/f"))
	// The image is independent of the disk and its open handle.
	_, err = f.Write([]byte("-more"))
	require.NoError(t, err)
	require.Equal(t, "live", content(t, img, "/d/f"))
	writeFile(t, img, "/d/f", "image", 0o600)
	require.Equal(t, "live-more", content(t, m, "/d/f"))
}

func TestCloneKeepsPendingState(t *testing.T) {
	m := durableDisk(t)
	writeSynced(t, m, "/d/a", "synced")
	syncDir(t, m, "/d")
	f, err := m.OpenFile("/d/a", os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte("+pending"))
	require.NoError(t, err)
	writeSynced(t, m, "/d/b", "nodirsync")

	c := m.Clone()
	require.Equal(t, m.Files(), c.Files())
	require.Equal(t, m.String(), c.String())
	require.Equal(t, m.CrashImage(faults.Power, nil).Files(), c.CrashImage(faults.Power, nil).Files())
	for seed := range uint64(8) {
		require.Equal(t,
			m.CrashImage(faults.PowerPartial, rand.New(rand.NewPCG(seed, 3))).Files(),
			c.CrashImage(faults.PowerPartial, rand.New(rand.NewPCG(seed, 3))).Files())
	}
	// Independent both ways.
	_, err = f.Write([]byte("!"))
	require.NoError(t, err)
	require.Equal(t, "synced+pending", content(t, c, "/d/a"))
	writeFile(t, c, "/d/b", "clone", 0o600)
	require.Equal(t, "nodirsync", content(t, m, "/d/b"))
	syncDir(t, c, "/d")
	require.False(t, exists(m.CrashImage(faults.Power, nil), "/d/b"))
	require.True(t, exists(c.CrashImage(faults.Power, nil), "/d/b"))
}

func TestFilesAndString(t *testing.T) {
	m := durableDisk(t)
	writeSynced(t, m, "/d/f", "secret-value")
	files := m.Files()
	require.Equal(t, faults.Entry{Mode: os.ModeDir | 0o700}, files["/d"])
	require.Equal(t, os.FileMode(0o600), files["/d/f"].Mode)
	require.Equal(t, "secret-value", string(files["/d/f"].Data))
	files["/d/f"].Data[0] = 'X' // a copy
	require.Equal(t, "secret-value", content(t, m, "/d/f"))
	s := m.String()
	require.NotContains(t, s, "secret-value")
	require.Contains(t, s, "/d/f 12B (not durable)")
}

func TestMemFSZeroValueAndRelativePaths(t *testing.T) {
	var m faults.MemFS
	require.NoError(t, m.MkdirAll("a/b", 0o700))
	writeFile(t, &m, "a/b/../b/f", "x", 0o600)
	require.Equal(t, "x", readFile(t, &m, "/a/b/f"))
	fi, err := m.Stat("/")
	require.NoError(t, err)
	require.True(t, fi.IsDir())
	fi, _, err = m.LstatIfPossible("a/b/f")
	require.NoError(t, err)
	require.Equal(t, "f", fi.Name())
	require.Equal(t, "MemFS", m.Name())
	require.Contains(t, m.Files(), "/a/b/f")
	require.ErrorIs(t, m.Remove("/"), syscall.EBUSY)
	require.NoError(t, m.RemoveAll("/"))
	require.Empty(t, m.Files())
}
