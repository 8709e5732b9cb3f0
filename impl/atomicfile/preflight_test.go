//go:build unix

package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/atomicfile"
)

// Preflight finds, reading only, what would make Write fail or misbehave.
func TestPreflight(t *testing.T) {
	osfs := afero.NewOsFs()
	root, target, victim := hostileDir(t)
	before := treeOf(t, root)
	require.NoError(t, atomicfile.Preflight(osfs, target), "a plain file in a writable directory")
	require.NoError(t, atomicfile.Preflight(osfs, filepath.Join(root, "missing", "deeper", "f")), "a missing directory under a writable one")

	require.NoError(t, os.Symlink(victim, atomicfile.TempName(target)))
	require.ErrorIs(t, atomicfile.Preflight(osfs, target), atomicfile.ErrNotRegular, "a symlink at the temp name")
	require.NoError(t, os.Remove(atomicfile.TempName(target)))

	link := filepath.Join(filepath.Dir(target), "link")
	require.NoError(t, os.Symlink(victim, link))
	require.ErrorIs(t, atomicfile.Preflight(osfs, link), atomicfile.ErrNotRegular, "a symlink target")
	require.NoError(t, os.Remove(link))

	require.Error(t, atomicfile.Preflight(osfs, filepath.Join(victim, "f")), "the directory is a file")
	require.Equal(t, before, treeOf(t, root), "preflight writes nothing")
}

// As a user who cannot write the directory, Preflight fails with
// ErrNotWritable. Root can write any directory, so this needs a non-root
// run; CI (root) covers the same check end to end in cmd/scopemig with a
// child process running as another uid.
func TestPreflightNotWritable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may write any directory; TestMigrateConfigDirNotWritable (cmd/scopemig) runs this as another uid")
	}
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o500))
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	require.ErrorIs(t, atomicfile.Preflight(afero.NewOsFs(), filepath.Join(dir, "config.yaml")), atomicfile.ErrNotWritable)
}
