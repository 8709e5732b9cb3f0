//go:build unix

package faults_test

import (
	"os"
	"syscall"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
)

// linker plants symlinks on a filesystem under test and reads them back.
type linker interface {
	SymlinkIfPossible(oldname, newname string) error
	afero.Lstater
	afero.LinkReader
}

// realLinks plants links on a BasePathFs over a real directory with
// os.Symlink, target kept as given (BasePathFs's own SymlinkIfPossible
// rewrites the target into its base).
type realLinks struct {
	*afero.BasePathFs
	base string
}

func (r realLinks) SymlinkIfPossible(oldname, newname string) error {
	return os.Symlink(oldname, r.base+newname)
}

// linkCases are the filesystems that model symlinks: the simulated disk
// must behave like a real directory.
func linkCases() []struct {
	name string
	mk   func(t *testing.T) (afero.Fs, linker)
} {
	return []struct {
		name string
		mk   func(t *testing.T) (afero.Fs, linker)
	}{
		{"MemFS", func(*testing.T) (afero.Fs, linker) { m := faults.NewMemFS(); return m, m }},
		{"OsFs", func(t *testing.T) (afero.Fs, linker) {
			base := t.TempDir()
			b := afero.NewBasePathFs(afero.NewOsFs(), base).(*afero.BasePathFs)
			return b, realLinks{BasePathFs: b, base: base}
		}},
	}
}

// Relative targets throughout: a BasePathFs stores absolute ones with its
// real base.
func TestSymlinkConformance(t *testing.T) {
	for _, c := range linkCases() {
		t.Run(c.name, func(t *testing.T) {
			setup := func(t *testing.T) (afero.Fs, linker) {
				fsys, l := c.mk(t)
				require.NoError(t, fsys.MkdirAll("/home/cfg", 0o700))
				require.NoError(t, fsys.MkdirAll("/home/dot", 0o700))
				writeFile(t, fsys, "/home/dot/c.yaml", "a: 1\n", 0o600)
				require.NoError(t, l.SymlinkIfPossible("../dot/c.yaml", "/home/cfg/config.yaml"))
				return fsys, l
			}
			t.Run("StatFollowsLstatDoesNot", func(t *testing.T) {
				fsys, l := setup(t)
				fi, err := fsys.Stat("/home/cfg/config.yaml")
				require.NoError(t, err)
				require.True(t, fi.Mode().IsRegular())
				require.Equal(t, int64(5), fi.Size())
				li, _, err := l.LstatIfPossible("/home/cfg/config.yaml")
				require.NoError(t, err)
				require.NotZero(t, li.Mode()&os.ModeSymlink)
				target, err := l.ReadlinkIfPossible("/home/cfg/config.yaml")
				require.NoError(t, err)
				require.Equal(t, "../dot/c.yaml", target)
				_, err = l.ReadlinkIfPossible("/home/dot/c.yaml")
				requirePathErr(t, err, syscall.EINVAL)
			})
			t.Run("WriteThroughKeepsLink", func(t *testing.T) {
				fsys, l := setup(t)
				writeFile(t, fsys, "/home/cfg/config.yaml", "b: 2\n", 0o600)
				require.Equal(t, "b: 2\n", readFile(t, fsys, "/home/dot/c.yaml"))
				li, _, err := l.LstatIfPossible("/home/cfg/config.yaml")
				require.NoError(t, err)
				require.NotZero(t, li.Mode()&os.ModeSymlink)
			})
			t.Run("ExclAndNofollowRefuse", func(t *testing.T) {
				fsys, _ := setup(t)
				_, err := fsys.OpenFile("/home/cfg/config.yaml", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
				requirePathErr(t, err, syscall.EEXIST)
				_, err = fsys.OpenFile("/home/cfg/config.yaml", os.O_WRONLY|syscall.O_NOFOLLOW, 0)
				requirePathErr(t, err, syscall.ELOOP)
				require.Equal(t, "a: 1\n", readFile(t, fsys, "/home/dot/c.yaml"))
			})
			t.Run("DanglingCreateMakesTarget", func(t *testing.T) {
				fsys, l := setup(t)
				require.NoError(t, l.SymlinkIfPossible("../dot/new.yaml", "/home/cfg/n"))
				_, err := fsys.Stat("/home/cfg/n")
				requirePathErr(t, err, os.ErrNotExist)
				writeFile(t, fsys, "/home/cfg/n", "x", 0o600)
				require.Equal(t, "x", readFile(t, fsys, "/home/dot/new.yaml"))
			})
			t.Run("RenameAndRemoveActOnTheLink", func(t *testing.T) {
				fsys, l := setup(t)
				require.NoError(t, l.SymlinkIfPossible("c.yaml", "/home/dot/l2"))
				require.NoError(t, fsys.Remove("/home/dot/l2"))
				require.Equal(t, "a: 1\n", readFile(t, fsys, "/home/dot/c.yaml"))
				writeFile(t, fsys, "/home/cfg/tmp", "new", 0o600)
				require.NoError(t, fsys.Rename("/home/cfg/tmp", "/home/cfg/config.yaml"))
				li, _, err := l.LstatIfPossible("/home/cfg/config.yaml")
				require.NoError(t, err)
				require.True(t, li.Mode().IsRegular(), "a rename replaces the link, not its target")
				require.Equal(t, "a: 1\n", readFile(t, fsys, "/home/dot/c.yaml"))
			})
			t.Run("DirectoryLinkAndLoop", func(t *testing.T) {
				fsys, l := setup(t)
				require.NoError(t, l.SymlinkIfPossible("dot", "/home/dl"))
				require.Equal(t, "a: 1\n", readFile(t, fsys, "/home/dl/c.yaml"))
				writeFile(t, fsys, "/home/dl/g", "g", 0o600)
				require.Equal(t, "g", readFile(t, fsys, "/home/dot/g"))
				require.NoError(t, fsys.MkdirAll("/home/dl/sub/x", 0o700))
				fi, err := fsys.Stat("/home/dot/sub/x")
				require.NoError(t, err)
				require.True(t, fi.IsDir())
				require.NoError(t, l.SymlinkIfPossible("l2", "/home/l1"))
				require.NoError(t, l.SymlinkIfPossible("l1", "/home/l2"))
				_, err = fsys.Stat("/home/l1")
				requirePathErr(t, err, syscall.ELOOP)
				err = l.SymlinkIfPossible("x", "/home/l1")
				requirePathErr(t, err, syscall.EEXIST)
			})
		})
	}
}

// A symlink is an entry like any other: a power loss before its directory
// is synced takes it back; after the sync it survives, with its target.
func TestPowerSymlinkNeedsDirSync(t *testing.T) {
	m := faults.NewMemFS()
	require.NoError(t, m.MkdirAll("/d", 0o700))
	syncDir(t, m, "/")
	require.NoError(t, m.SymlinkIfPossible("/t", "/d/l"))
	img := m.CrashImage(faults.Power, nil)
	_, _, err := img.LstatIfPossible("/d/l")
	require.ErrorIs(t, err, os.ErrNotExist)
	syncDir(t, m, "/d")
	img = m.CrashImage(faults.Power, nil)
	got, err := img.ReadlinkIfPossible("/d/l")
	require.NoError(t, err)
	require.Equal(t, "/t", got)
	got, err = m.Clone().ReadlinkIfPossible("/d/l")
	require.NoError(t, err)
	require.Equal(t, "/t", got)
}

// A process reads links (uncounted) and creates none.
func TestFSReadlinkUncounted(t *testing.T) {
	m := faults.NewMemFS()
	require.NoError(t, m.SymlinkIfPossible("/t", "/l"))
	p := faults.NewFS(m, nil)
	got, err := p.ReadlinkIfPossible("/l")
	require.NoError(t, err)
	require.Equal(t, "/t", got)
	require.Zero(t, p.Ops())
}
