//go:build linux

package config_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/config"
)

// While another descriptor has the config open for writing (a ToolHive
// write in place under way, which may have truncated it), SetMigrated
// writes nothing and, the writer never closing, gives up with
// ErrConfigBusy; once it is closed, SetMigrated goes through.
func TestSetMigratedWaitsOutWriterInPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	const before = "registry_url: before\n"
	require.NoError(t, os.WriteFile(path, []byte(before), 0o600))
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	flag := config.Flag{Fs: afero.NewOsFs(), Path: path}
	err = flag.SetMigrated(context.Background())
	require.ErrorIs(t, err, config.ErrConfigBusy)
	got, rerr := os.ReadFile(path)
	require.NoError(t, rerr)
	require.Equal(t, before, string(got), "nothing written")

	require.NoError(t, w.Close())
	require.NoError(t, flag.SetMigrated(context.Background()))
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, before+"secret_scope_migration: true\n", string(got))
}
