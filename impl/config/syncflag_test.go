package config_test

import (
	"context"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/migrate"
)

var _ migrate.FlagSyncer = config.Flag{}

// A flag that is only in the page cache (the run that set it failed
// before its directory sync) survives a power cut once SyncMigrated has
// run, and SyncMigrated changes no byte: its only operations are syncs.
func TestSyncMigratedMakesASetFlagDurable(t *testing.T) {
	ctx := context.Background()
	const dir, path = "/home/u/.config/toolhive", "/home/u/.config/toolhive/config.yaml"
	disk := faults.NewMemFS()
	require.NoError(t, disk.MkdirAll(dir, 0o700))
	disk = disk.CrashImage(faults.Process, nil) // the directory is durable
	require.NoError(t, afero.WriteFile(disk, path, []byte("secret_scope_migration: true\n"), 0o600))

	lost := disk.CrashImage(faults.Power, nil)
	set, err := config.Flag{Fs: lost, Path: path}.Migrated(ctx)
	require.NoError(t, err)
	require.False(t, set, "the set-up: an unsynced flag is lost on power loss")

	proc := faults.NewFS(disk, nil)
	f := config.Flag{Fs: proc.Fs(), Path: path}
	set, err = f.Migrated(ctx)
	require.NoError(t, err)
	require.True(t, set)
	require.NoError(t, f.SyncMigrated(ctx))
	for _, op := range proc.Log() {
		require.Equal(t, faults.OpSync, op.Kind, "SyncMigrated made a %s", op)
	}
	require.Len(t, proc.Log(), 2, "the file and its directory")

	kept := disk.CrashImage(faults.Power, nil)
	set, err = config.Flag{Fs: kept, Path: path}.Migrated(ctx)
	require.NoError(t, err)
	require.True(t, set, "the synced flag survives the power cut")

	require.NoError(t, config.Flag{Fs: afero.NewMemMapFs(), Path: path}.SyncMigrated(ctx), "no config: nothing to sync")
}
