package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/model"
)

// scanRealImage finds a plaintext leftover and a world-readable file on a
// real directory, and passes a clean one; it never prints the value.
func TestScanRealImage(t *testing.T) {
	root := t.TempDir()
	data, conf := filepath.Join(root, "data"), filepath.Join(root, "config")
	require.NoError(t, os.Mkdir(data, 0o700))
	require.NoError(t, os.Mkdir(conf, 0o700))
	s0 := model.State{Secrets: map[string]string{"k": "a-secret-value-1234", "short": "abc"}}
	require.NoError(t, os.WriteFile(filepath.Join(data, "secrets_encrypted"), []byte("ciphertext only abc"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(conf, "config.yaml"), []byte("secret_scope_migration: true\n"), 0o600))
	require.Empty(t, scanRealImage(data, conf, s0))

	require.NoError(t, os.WriteFile(filepath.Join(data, ".left.tmp"), []byte(`{"k":"a-secret-value-1234"}`), 0o600))
	got := scanRealImage(data, conf, s0)
	require.Equal(t, []string{"I8 .left.tmp holds a secret value in plaintext"}, got)
	require.NoError(t, os.Remove(filepath.Join(data, ".left.tmp")))

	require.NoError(t, os.Chmod(filepath.Join(data, "secrets_encrypted"), 0o644))
	require.Equal(t, []string{"I8 secrets_encrypted has mode -rw-r--r--"}, scanRealImage(data, conf, s0))
}
