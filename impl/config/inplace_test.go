package config_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/config"
)

// racingFs writes the config in place, the way ToolHive v0.47.0 does
// (os.WriteFile: O_TRUNC, write), once, at a chosen moment of
// SetMigrated's write: when it creates its temp file (after the locked
// read), or when it renames it (after its last check). This is what a
// ToolHive process does when its lock-file race let it run while
// SetMigrated held the lock (interop/lockrace_linux_test.go does it with
// real processes).
type racingFs struct {
	afero.Fs
	path, content string
	atRename      bool
	done          bool
}

func (r *racingFs) race() {
	if r.done {
		return
	}
	r.done = true
	f, err := r.Fs.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err == nil {
		_, _ = f.Write([]byte(r.content))
		_ = f.Close()
	}
}

func (r *racingFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if !r.atRename && flag&os.O_CREATE != 0 && name != r.path {
		r.race()
	}
	return r.Fs.OpenFile(name, flag, perm)
}

func (r *racingFs) Rename(oldname, newname string) error {
	if r.atRename && newname == r.path {
		r.race()
	}
	return r.Fs.Rename(oldname, newname)
}

// A write in place between SetMigrated's read and its rename is seen by
// the last check before the rename: the temp file is dropped and the
// read-modify-write redone on the new content, so that write is kept.
// (Before issue 21.4 the rename replaced it.)
func TestSetMigratedRedoesAfterInPlaceWrite(t *testing.T) {
	fsys := &racingFs{Fs: afero.NewMemMapFs(), path: "/c/config.yaml", content: "registry_url: toolhive\n"}
	require.NoError(t, afero.WriteFile(fsys.Fs, fsys.path, []byte("registry_url: before\n"), 0o600))
	require.NoError(t, config.Flag{Fs: fsys, Path: fsys.path}.SetMigrated(context.Background()))
	require.True(t, fsys.done)
	got, err := afero.ReadFile(fsys.Fs, fsys.path)
	require.NoError(t, err)
	require.Equal(t, "registry_url: toolhive\nsecret_scope_migration: true\n", string(got))

	// The same when there was no config: one created meanwhile is kept.
	fsys = &racingFs{Fs: afero.NewMemMapFs(), path: "/c/config.yaml", content: "registry_url: toolhive\n"}
	require.NoError(t, fsys.MkdirAll("/c", 0o700))
	require.NoError(t, config.Flag{Fs: fsys, Path: fsys.path}.SetMigrated(context.Background()))
	got, err = afero.ReadFile(fsys.Fs, fsys.path)
	require.NoError(t, err)
	require.Equal(t, "registry_url: toolhive\nsecret_scope_migration: true\n", string(got))
}

// A write in place after the last check, as the rename runs, cannot be
// undone: SetMigrated reports it (ErrConcurrentWrite) instead of claiming
// a clean write.
func TestSetMigratedReportsInPlaceWriteAtRename(t *testing.T) {
	fsys := &racingFs{Fs: afero.NewMemMapFs(), path: "/c/config.yaml", content: "registry_url: toolhive\n", atRename: true}
	require.NoError(t, afero.WriteFile(fsys.Fs, fsys.path, []byte("registry_url: before\n"), 0o600))
	err := config.Flag{Fs: fsys, Path: fsys.path}.SetMigrated(context.Background())
	require.ErrorIs(t, err, config.ErrConcurrentWrite)
	require.Equal(t, 1, strings.Count(err.Error(), "\n")+1, "one line")
	got, rerr := afero.ReadFile(fsys.Fs, fsys.path)
	require.NoError(t, rerr)
	require.Equal(t, "registry_url: before\nsecret_scope_migration: true\n", string(got), "the flag is set; the other write is what was lost")
}
