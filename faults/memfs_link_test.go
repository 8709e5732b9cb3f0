package faults_test

import (
	"errors"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
)

// A hard link is an entry like any other: durable when its directory is
// synced; the image keeps both names on one inode.
func TestLinkDurableWithItsDirectory(t *testing.T) {
	m := faults.NewMemFS()
	writeSynced(t, m, "/f", "v1")
	syncDir(t, m, "/")
	require.NoError(t, m.Link("/f", "/f.bak"))
	require.False(t, exists(m.CrashImage(faults.Power, nil), "/f.bak"), "unsynced link lost")
	syncDir(t, m, "/")
	img := m.CrashImage(faults.Power, nil)
	require.Equal(t, "v1", content(t, img, "/f.bak"))
	files := img.Files()
	require.Equal(t, "/f", files["/f.bak"].Link, "one inode under two names")
	require.Empty(t, files["/f"].Link)

	// Writes through one name are seen through the other, in the image too.
	f, err := img.OpenFile("/f", os.O_WRONLY|os.O_TRUNC, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte("v2"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Equal(t, "v2", content(t, img, "/f.bak"))

	var le *os.LinkError
	require.True(t, errors.As(m.Link("/f", "/f.bak"), &le))
	require.ErrorIs(t, le.Err, syscall.EEXIST)
	require.ErrorIs(t, m.Link("/", "/x"), syscall.EPERM)
	require.ErrorIs(t, m.Link("/missing", "/x"), syscall.ENOENT)
}

// A symlink's target is its data, written with it; the entry is durable
// when its directory is synced; a flip by rename is atomic.
func TestSymlinkFlip(t *testing.T) {
	m := faults.NewMemFS()
	require.NoError(t, m.Mkdir("/v1", 0o700))
	require.NoError(t, m.SymlinkIfPossible("v1", "/current"))
	syncDir(t, m, "/")
	require.NoError(t, m.Mkdir("/v2", 0o700))
	require.NoError(t, m.SymlinkIfPossible("v2", "/current.tmp"))
	require.NoError(t, m.Rename("/current.tmp", "/current"))
	target := func(img *faults.MemFS) string {
		s, err := img.ReadlinkIfPossible("/current")
		require.NoError(t, err)
		return s
	}
	require.Equal(t, "v2", target(m))
	require.Equal(t, "v1", target(m.CrashImage(faults.Power, nil)), "flip not durable without directory sync")
	for seed := range uint64(8) {
		require.Contains(t, []string{"v1", "v2"}, target(m.CrashImage(faults.PowerPartial, rand.New(rand.NewPCG(seed, 1)))))
	}
	syncDir(t, m, "/")
	require.Equal(t, "v2", target(m.CrashImage(faults.Power, nil)))
	fi, _, err := m.LstatIfPossible("/current")
	require.NoError(t, err)
	require.Equal(t, os.ModeSymlink, fi.Mode().Type())
	require.Equal(t, "v2", string(m.Files()["/current"].Data))
	_, err = m.ReadlinkIfPossible("/v2")
	require.ErrorIs(t, err, syscall.EINVAL)
	require.ErrorIs(t, m.SymlinkIfPossible("x", "/current"), syscall.EEXIST)
}

// Power-partial draws once per inode: both names of a hard-linked file
// show the same prefix of its unsynced writes.
func TestPowerPartialLinkOneDraw(t *testing.T) {
	m := faults.NewMemFS()
	writeSynced(t, m, "/f", "")
	require.NoError(t, m.Mkdir("/d", 0o700))
	require.NoError(t, m.Link("/f", "/d/g"))
	syncDir(t, m, "/")
	syncDir(t, m, "/d")
	f, err := m.OpenFile("/f", os.O_WRONLY, 0)
	require.NoError(t, err)
	for _, s := range []string{"a", "b", "c", "d", "e", "f"} {
		_, err = f.Write([]byte(s))
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())
	for seed := range uint64(16) {
		img := m.CrashImage(faults.PowerPartial, rand.New(rand.NewPCG(seed, 2)))
		require.Equal(t, content(t, img, "/f"), content(t, img, "/d/g"), "seed %d", seed)
	}
}
