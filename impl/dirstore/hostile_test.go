//go:build unix

package dirstore_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/dirstore"
	"github.com/scopemig/scopemig/impl/internal/fstest"
)

// hostileStore is a real directory holding a store with secret "k" and,
// outside it, an unrelated file "victim" ("precious", 0644). It returns
// the root, the store directory and the path of k's secret file.
func hostileStore(t *testing.T) (root, store, file, victim string) {
	t.Helper()
	root = t.TempDir()
	store, victim = filepath.Join(root, "secrets.d"), filepath.Join(root, "victim")
	require.NoError(t, os.WriteFile(victim, []byte("precious"), 0o644))
	s, err := dirstore.Open(afero.NewOsFs(), store, pw)
	require.NoError(t, err)
	require.NoError(t, s.SetSecret(context.Background(), "k", "old-value-1234"))
	entries, err := os.ReadDir(store)
	require.NoError(t, err)
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".sec" {
			file = filepath.Join(store, e.Name())
		}
	}
	require.NotEmpty(t, file)
	return root, store, file, victim
}

func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	tr, err := fstest.Tree(root)
	require.NoError(t, err)
	return tr
}

// What a crashed write cannot have left at a temp name of the store (the
// temp name of a secret file or of the journal) is refused, exactly as
// atomicfile refuses it: not followed, not written through, not removed.
// A write that would use that temp name and the Open that would clean it
// up both fail with atomicfile.ErrNotRegular, and not one byte, mode or
// entry changes, in the store or outside it.
func TestPlantedTempRefused(t *testing.T) {
	ctx := context.Background()
	plants := []struct {
		name  string
		plant func(t *testing.T, tmp, victim string)
	}{
		{"symlink to an unrelated file", func(t *testing.T, tmp, victim string) { require.NoError(t, os.Symlink(victim, tmp)) }},
		{"dangling symlink", func(t *testing.T, tmp, victim string) { require.NoError(t, os.Symlink(victim+"-new", tmp)) }},
		{"hard link to an unrelated file", func(t *testing.T, tmp, victim string) { require.NoError(t, os.Link(victim, tmp)) }},
		{"FIFO", func(t *testing.T, tmp, _ string) { require.NoError(t, syscall.Mkfifo(tmp, 0o600)) }},
		{"directory", func(t *testing.T, tmp, _ string) { require.NoError(t, os.Mkdir(tmp, 0o700)) }},
	}
	for _, at := range []string{"secret file", "journal"} {
		for _, tc := range plants {
			t.Run(at+"/"+tc.name, func(t *testing.T) {
				root, store, file, victim := hostileStore(t)
				target := file
				write := func(s *dirstore.Store) error { return s.SetSecret(ctx, "k", "new-value-1234") }
				if at == "journal" {
					target = filepath.Join(store, "pending.jnl")
					write = func(s *dirstore.Store) error { // two files: one journaled transaction
						return s.Update(ctx, func(m map[string]string) error { m["k"], m["k2"] = "new-value-1234", "new-value-5678"; return nil })
					}
				}
				s, err := dirstore.Open(afero.NewOsFs(), store, pw)
				require.NoError(t, err)
				tc.plant(t, atomicfile.TempName(target), victim)
				before := tree(t, root)

				require.ErrorIs(t, write(s), atomicfile.ErrNotRegular)
				require.Equal(t, before, tree(t, root), "the write changed nothing")

				_, err = dirstore.Open(afero.NewOsFs(), store, pw)
				require.ErrorIs(t, err, atomicfile.ErrNotRegular)
				require.Equal(t, before, tree(t, root), "Open's cleanup changed nothing")
			})
		}
	}
}

// A leftover of a crashed write (a regular file with one link at a temp
// name of the store) is removed by Open, and a foreign temp-shaped name is
// left alone.
func TestLeftoverTempRemoved(t *testing.T) {
	_, store, file, _ := hostileStore(t)
	leftover := atomicfile.TempName(file)
	foreign := atomicfile.TempName(filepath.Join(store, "notes.txt"))
	require.NoError(t, os.WriteFile(leftover, []byte("torn"), 0o600))
	require.NoError(t, os.Mkdir(foreign, 0o700))
	_, err := dirstore.Open(afero.NewOsFs(), store, pw)
	require.NoError(t, err)
	_, err = os.Lstat(leftover)
	require.ErrorIs(t, err, os.ErrNotExist)
	fi, err := os.Lstat(foreign)
	require.NoError(t, err)
	require.True(t, fi.IsDir())
}
