//go:build unix

package atomicfile_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/internal/fstest"
)

// hostileDir is a real directory holding target "f" ("old", 0600) and,
// outside it, an unrelated file "victim" ("precious", 0644).
func hostileDir(t *testing.T) (dir, target, victim string) {
	t.Helper()
	root := t.TempDir()
	dir = filepath.Join(root, "store")
	require.NoError(t, os.Mkdir(dir, 0o700))
	target, victim = filepath.Join(dir, "f"), filepath.Join(root, "victim")
	require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))
	require.NoError(t, os.WriteFile(victim, []byte("precious"), 0o644))
	return root, target, victim
}

func treeOf(t *testing.T, root string) map[string]string {
	t.Helper()
	tr, err := fstest.Tree(root)
	require.NoError(t, err)
	return tr
}

// Anything planted at the temp name that a crashed Write cannot have left
// is refused: not followed, not written through, not removed; the target
// and the unrelated file keep every byte and mode.
func TestWriteRefusesPlantedTemp(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, tmp, victim string)
	}{
		{"symlink to an unrelated file", func(t *testing.T, tmp, victim string) { require.NoError(t, os.Symlink(victim, tmp)) }},
		{"dangling symlink", func(t *testing.T, tmp, victim string) { require.NoError(t, os.Symlink(victim+"-new", tmp)) }},
		{"hard link to an unrelated file", func(t *testing.T, tmp, victim string) { require.NoError(t, os.Link(victim, tmp)) }},
		{"FIFO", func(t *testing.T, tmp, _ string) { require.NoError(t, syscall.Mkfifo(tmp, 0o600)) }},
		{"directory", func(t *testing.T, tmp, _ string) { require.NoError(t, os.Mkdir(tmp, 0o700)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, target, victim := hostileDir(t)
			tc.plant(t, atomicfile.TempName(target), victim)
			before := treeOf(t, root)

			err := atomicfile.Write(afero.NewOsFs(), target, []byte("new"), 0o600)
			require.ErrorIs(t, err, atomicfile.ErrNotRegular)
			require.Equal(t, before, treeOf(t, root), "not one byte, mode or entry changed")

			removed, err := atomicfile.RemoveStale(afero.NewOsFs(), target)
			require.ErrorIs(t, err, atomicfile.ErrNotRegular)
			require.False(t, removed)
			require.Equal(t, before, treeOf(t, root), "RemoveStale leaves it too")
		})
	}
}

// A leftover of a crashed Write (a regular file, one link) is replaced.
func TestWriteReplacesLeftoverTemp(t *testing.T) {
	_, target, _ := hostileDir(t)
	require.NoError(t, os.WriteFile(atomicfile.TempName(target), []byte("torn"), 0o644))
	require.NoError(t, atomicfile.Write(afero.NewOsFs(), target, []byte("new"), 0o600))
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	require.Equal(t, "new", string(got))
	_, err = os.Lstat(atomicfile.TempName(target))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// A target that is a symlink is never replaced (nor followed).
func TestWriteRefusesSymlinkTarget(t *testing.T) {
	root, target, victim := hostileDir(t)
	require.NoError(t, os.Remove(target))
	require.NoError(t, os.Symlink(victim, target))
	before := treeOf(t, root)
	err := atomicfile.Write(afero.NewOsFs(), target, []byte("new"), 0o600)
	require.ErrorIs(t, err, atomicfile.ErrNotRegular)
	require.Equal(t, before, treeOf(t, root))
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown files to another uid (CI runs as root)")
	}
}

func ownerOf(t *testing.T, path string) (uid, gid uint32) {
	t.Helper()
	fi, err := os.Lstat(path)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid
}

// Root replacing another user's file keeps its uid and gid (the temp file
// is chowned before the rename); a file root creates in another user's
// directory gets that directory's owner.
func TestWriteAsRootKeepsOwner(t *testing.T) {
	requireRoot(t)
	root, target, _ := hostileDir(t)
	dir := filepath.Dir(target)
	require.NoError(t, os.Chown(dir, 4242, 4343))
	require.NoError(t, os.Chown(target, 4242, 4343))

	require.NoError(t, atomicfile.Write(afero.NewOsFs(), target, []byte("new"), 0o600))
	uid, gid := ownerOf(t, target)
	require.Equal(t, [2]uint32{4242, 4343}, [2]uint32{uid, gid}, "owner kept")
	fi, err := os.Stat(target)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	created := filepath.Join(dir, "new-file")
	require.NoError(t, atomicfile.Write(afero.NewOsFs(), created, []byte("x"), 0o600))
	uid, gid = ownerOf(t, created)
	require.Equal(t, [2]uint32{4242, 4343}, [2]uint32{uid, gid}, "a new file gets its directory's owner")

	sub := filepath.Join(dir, "a", "b")
	require.NoError(t, atomicfile.MkdirAll(afero.NewOsFs(), sub, 0o700))
	for _, d := range []string{filepath.Join(dir, "a"), sub} {
		uid, gid = ownerOf(t, d)
		require.Equal(t, [2]uint32{4242, 4343}, [2]uint32{uid, gid}, "a new directory gets its parent's owner: %s", d)
	}
	_ = root
}

// A process that is not root and does not own the file refuses before
// writing anything (replacing it would change the owner).
func TestWriteRefusesOwnerChange(t *testing.T) {
	root, target, _ := hostileDir(t)
	if os.Geteuid() == 0 { // give the file a non-root owner to impersonate
		require.NoError(t, os.Chown(target, 4242, 4343))
	}
	uid, gid := ownerOf(t, target)
	other := atomicfile.Identity{UID: int(uid) + 1, GID: int(gid), Known: true}
	before := treeOf(t, root)
	err := atomicfile.WriteAs(afero.NewOsFs(), target, []byte("new"), 0o600, other)
	require.ErrorIs(t, err, atomicfile.ErrOwner)
	require.Equal(t, before, treeOf(t, root), "nothing written, not even a temp file")

	wrongGroup := atomicfile.Identity{UID: int(uid), GID: int(gid) + 1, Known: true}
	err = atomicfile.WriteAs(afero.NewOsFs(), target, []byte("new"), 0o600, wrongGroup)
	require.ErrorIs(t, err, atomicfile.ErrOwner, "the group could not be given back")
	require.Equal(t, before, treeOf(t, root))

	self := atomicfile.Identity{UID: int(uid), GID: int(gid), Known: true}
	require.NoError(t, atomicfile.WriteAs(afero.NewOsFs(), target, []byte("new"), 0o600, self))
}
