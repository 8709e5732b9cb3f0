package config_test

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/config"
)

// lockLog is a simulated disk that records the name of every lock taken.
type lockLog struct {
	*faults.MemFS
	mu    sync.Mutex // guards names
	names []string
}

func (l *lockLog) Lock(ctx context.Context, name string) (func() error, error) {
	l.mu.Lock()
	l.names = append(l.names, name)
	l.mu.Unlock()
	return l.MemFS.Lock(ctx, name)
}

// A config that is a symlink (a dotfile manager's layout): SetMigrated
// replaces the target in its own directory under that directory's lock,
// takes ToolHive's lock next to the link, and leaves the link a link.
func TestSetMigratedThroughLink(t *testing.T) {
	m := faults.NewMemFS()
	require.NoError(t, m.MkdirAll("/h/.config/toolhive", 0o700))
	require.NoError(t, m.MkdirAll("/h/dot", 0o700))
	require.NoError(t, afero.WriteFile(m, "/h/dot/c.yaml", []byte("a: 1 # kept\nb: [x]\n"), 0o640))
	require.NoError(t, m.SymlinkIfPossible("../../dot/c.yaml", "/h/.config/toolhive/config.yaml"))
	fsys := &lockLog{MemFS: m}
	f := config.Flag{Fs: fsys, Path: "/h/.config/toolhive/config.yaml"}

	require.NoError(t, f.PreflightSetMigrated(ctx))
	wrote, err := f.SetMigratedReport(ctx)
	require.NoError(t, err)
	require.True(t, wrote)
	require.Equal(t, []string{"/h/dot", "/h/.config/toolhive/config.yaml.lock"}, fsys.names, "the target's directory, then ToolHive's lock next to the link")

	link, err := m.ReadlinkIfPossible("/h/.config/toolhive/config.yaml")
	require.NoError(t, err)
	require.Equal(t, "../../dot/c.yaml", link, "still the link")
	got, err := afero.ReadFile(m, "/h/dot/c.yaml")
	require.NoError(t, err)
	require.Equal(t, "a: 1 # kept\nb: [x]\n"+config.Key+": true\n", string(got))
	fi, err := m.Stat("/h/dot/c.yaml")
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o640), fi.Mode().Perm(), "the target's mode kept")
	done, err := f.Migrated(ctx)
	require.NoError(t, err)
	require.True(t, done)
	for p := range m.Files() {
		require.False(t, atomicfile.IsTemp(p), p)
	}

	// Flag already set: SyncMigrated syncs the target, writes nothing.
	p := faults.NewFS(m, nil)
	wrote, err = config.Flag{Fs: p, Path: f.Path}.SetMigratedReport(ctx)
	require.NoError(t, err)
	require.False(t, wrote)
	for _, op := range p.Log() {
		require.Equal(t, faults.OpSync, op.Kind, "%s", op)
		require.True(t, slices.Contains([]string{"/h/dot/c.yaml", "/h/dot"}, op.Path), "syncs the target and its directory: %s", op)
	}
}

// An unsafe link is refused by every entry point with ErrUnsafeLink, and
// nothing is written.
func TestUnsafeLinkRefusedBeforeAnyWrite(t *testing.T) {
	m := faults.NewMemFS()
	require.NoError(t, m.MkdirAll("/h/cfg", 0o700))
	require.NoError(t, m.SymlinkIfPossible("/h/nowhere.yaml", "/h/cfg/config.yaml"))
	p := faults.NewFS(m, nil)
	f := config.Flag{Fs: p, Path: "/h/cfg/config.yaml"}
	_, err := f.Migrated(ctx)
	require.ErrorIs(t, err, atomicfile.ErrUnsafeLink)
	require.NotErrorIs(t, err, config.ErrInvalidConfig, "the config itself is not invalid")
	require.ErrorIs(t, f.PreflightSetMigrated(ctx), atomicfile.ErrUnsafeLink)
	require.ErrorIs(t, f.SetMigrated(ctx), atomicfile.ErrUnsafeLink)
	require.ErrorIs(t, f.SyncMigrated(ctx), atomicfile.ErrUnsafeLink)
	require.Zero(t, p.Ops(), "not one operation that could write")
}
