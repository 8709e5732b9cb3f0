package config_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/fslock"
)

// SetMigrated's read-modify-write holds ToolHive's config lock
// (config.yaml.lock, the flock UpdateConfigAtPath takes): while another
// holder has it, SetMigrated waits, and then rereads the file, so the
// other writer's update is kept. (The real ToolHive process is in
// interop/configrace_test.go.)
func TestSetMigratedTakesToolHiveConfigLock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte("registry_url: old\n"), 0o600))
	osfs := afero.NewOsFs()
	release, err := fslock.AcquireFile(context.Background(), osfs, path+config.LockFileSuffix)
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() { done <- config.Flag{Fs: osfs, Path: path}.SetMigrated(context.Background()) }()
	select {
	case err := <-done:
		t.Fatalf("SetMigrated ran while ToolHive's config lock was held (err %v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	// The holder (ToolHive) writes in place, then unlocks.
	require.NoError(t, os.WriteFile(path, []byte("registry_url: new\n"), 0o600))
	require.NoError(t, release())
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("SetMigrated never got the lock")
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "registry_url: new\n"+config.Key+": true\n", string(got))
}

// A config already migrated, or invalid, is answered from a first unlocked
// read: not even the lock file is created.
func TestSetMigratedNoLockFileWhenNothingToDo(t *testing.T) {
	for name, content := range map[string]string{"migrated": config.Key + ": true\n", "invalid": "{"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config.yaml")
			require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
			err := config.Flag{Fs: afero.NewOsFs(), Path: path}.SetMigrated(context.Background())
			if name == "invalid" {
				require.ErrorIs(t, err, config.ErrInvalidConfig)
			} else {
				require.NoError(t, err)
			}
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			require.Len(t, entries, 1)
		})
	}
}
