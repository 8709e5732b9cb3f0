package atomicfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/atomicfile"
)

// wantOps are the operations of Write on a file with no owner to keep
// (recFs records the reads Lstat/Stat as "stat": it is no afero.Lstater).
var wantOps = []string{"stat", "openfile", "write", "sync", "close", "chmod", "stat", "stat", "rename", "open", "sync", "close"}

// renameOp is the 1-based index of the rename in wantOps.
const renameOp = 9

func TestTempName(t *testing.T) {
	require.Equal(t, filepath.Join("/a/b", ".secrets_encrypted.scopemig-tmp"), atomicfile.TempName("/a/b/secrets_encrypted"))
	require.True(t, atomicfile.IsTemp(atomicfile.TempName("/a/b/x")))
	require.True(t, atomicfile.IsTemp(".x.scopemig-tmp"))
	require.False(t, atomicfile.IsTemp("x.scopemig-tmp"))
	require.False(t, atomicfile.IsTemp(".scopemig-tmp"))
	require.False(t, atomicfile.IsTemp("/a/b/x"))
}

func TestWriteExactOps(t *testing.T) {
	mem := afero.NewMemMapFs()
	require.NoError(t, mem.MkdirAll("/d", 0o700))
	rec := &recFs{Fs: mem}
	require.NoError(t, atomicfile.WriteAs(rec, "/d/f", []byte("hello"), 0o600, atomicfile.Identity{}))
	require.Equal(t, wantOps, rec.ops)

	got, err := afero.ReadFile(mem, "/d/f")
	require.NoError(t, err)
	require.Equal(t, "hello", string(got))
	fi, err := mem.Stat("/d/f")
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	_, err = mem.Stat(atomicfile.TempName("/d/f"))
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestWriteOsFs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(path, []byte("old content, longer"), 0o644))
	osfs := afero.NewOsFs()
	require.NoError(t, atomicfile.Write(osfs, path, []byte("new"), 0o600))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "new", string(got))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "perm replaced")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temp left")

	// A missing parent directory is an error, and nothing is created.
	err = atomicfile.Write(osfs, filepath.Join(dir, "missing", "f"), []byte("x"), 0o600)
	require.ErrorIs(t, err, fs.ErrNotExist)
	_, err = os.Stat(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, fs.ErrNotExist)
}

// TestWriteErrorAtEveryOp fails each operation in turn: before the rename
// the old content stays and the temp is gone; from the rename on, the new
// content is in place.
func TestWriteErrorAtEveryOp(t *testing.T) {
	for k := 1; k <= len(wantOps); k++ {
		mem := afero.NewMemMapFs()
		require.NoError(t, mem.MkdirAll("/d", 0o700))
		require.NoError(t, afero.WriteFile(mem, "/d/f", []byte("old"), 0o600))
		rec := &recFs{Fs: mem, failAt: k}

		err := atomicfile.WriteAs(rec, "/d/f", []byte("new"), 0o600, atomicfile.Identity{})
		require.ErrorIs(t, err, syscall.EIO, "op %d (%s)", k, wantOps[k-1])

		got, rerr := afero.ReadFile(mem, "/d/f")
		require.NoError(t, rerr)
		want := "old"
		if k > renameOp { // failed after the rename
			want = "new"
		}
		require.Equal(t, want, string(got), "op %d (%s)", k, wantOps[k-1])
		_, serr := mem.Stat(atomicfile.TempName("/d/f"))
		require.ErrorIs(t, serr, fs.ErrNotExist, "temp removed after failing op %d", k)
	}
}

func TestWriteDirSyncUnsupported(t *testing.T) {
	for _, tc := range []struct {
		err  error
		fail bool
	}{
		{errors.ErrUnsupported, false},
		{&os.PathError{Op: "sync", Path: "/d", Err: syscall.EINVAL}, false},
		{syscall.EIO, true},
	} {
		mem := afero.NewMemMapFs()
		require.NoError(t, mem.MkdirAll("/d", 0o700))
		rec := &recFs{Fs: mem, dirSyncErr: tc.err}
		err := atomicfile.Write(rec, "/d/f", []byte("x"), 0o600)
		if tc.fail {
			require.ErrorIs(t, err, tc.err)
		} else {
			require.NoError(t, err)
		}
	}
}

func TestRemoveStale(t *testing.T) {
	mem := afero.NewMemMapFs()
	require.NoError(t, mem.MkdirAll("/d", 0o700))
	require.NoError(t, afero.WriteFile(mem, "/d/f", []byte("keep"), 0o600))

	rec := &recFs{Fs: mem}
	removed, err := atomicfile.RemoveStale(rec, "/d/f")
	require.NoError(t, err)
	require.False(t, removed)
	require.Equal(t, []string{"stat"}, rec.ops, "no mutating op without a leftover")

	require.NoError(t, afero.WriteFile(mem, atomicfile.TempName("/d/f"), []byte("torn"), 0o600))
	rec.ops = nil
	removed, err = atomicfile.RemoveStale(rec, "/d/f")
	require.NoError(t, err)
	require.True(t, removed)
	require.Equal(t, []string{"stat", "remove"}, rec.ops)
	_, err = mem.Stat(atomicfile.TempName("/d/f"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	got, err := afero.ReadFile(mem, "/d/f")
	require.NoError(t, err)
	require.Equal(t, "keep", string(got))

	require.NoError(t, afero.WriteFile(mem, atomicfile.TempName("/d/f"), []byte("torn"), 0o600))
	_, err = atomicfile.RemoveStale(&recFs{Fs: mem, failAt: 2}, "/d/f")
	require.ErrorIs(t, err, syscall.EIO)
}

func TestMkdirAllDurable(t *testing.T) {
	mem := afero.NewMemMapFs()
	require.NoError(t, mem.MkdirAll("/a", 0o755))
	rec := &recFs{Fs: mem}
	require.NoError(t, atomicfile.MkdirAll(rec, "/a/b/c", 0o700))
	// Stat c, b, a; mkdirall; sync /a (parent of b), sync /a/b (parent of c).
	require.Equal(t, []string{"stat", "stat", "stat", "mkdirall", "open", "sync", "close", "open", "sync", "close"}, rec.ops)
	fi, err := mem.Stat("/a/b/c")
	require.NoError(t, err)
	require.True(t, fi.IsDir())
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())

	rec.ops = nil
	require.NoError(t, atomicfile.MkdirAll(rec, "/a/b/c", 0o700))
	require.Equal(t, []string{"stat"}, rec.ops, "existing directory: no write")

	// On a real disk.
	root := t.TempDir()
	require.NoError(t, atomicfile.MkdirAll(afero.NewOsFs(), filepath.Join(root, "x", "y"), 0o700))
	di, err := os.Stat(filepath.Join(root, "x", "y"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), di.Mode().Perm())
}
