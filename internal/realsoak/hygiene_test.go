package realsoak

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// scanImage finds a plaintext leftover and a world-readable file on a
// real directory, and passes a clean one; it never prints the value.
func TestScanRealImage(t *testing.T) {
	root := t.TempDir()
	data, conf := filepath.Join(root, "data"), filepath.Join(root, "config")
	require.NoError(t, os.Mkdir(data, 0o700))
	require.NoError(t, os.Mkdir(conf, 0o755))
	store, cfg := filepath.Join(data, "secrets_encrypted"), filepath.Join(conf, "config.yaml")
	s0 := model.State{Secrets: map[string]string{"k": "a-secret-value-1234", "short": "abc"}}
	require.NoError(t, os.WriteFile(store, []byte("ciphertext only abc"), 0o600))
	require.NoError(t, os.WriteFile(cfg, []byte("secret_scope_migration: true\n"), 0o644))
	require.NoError(t, os.WriteFile(cfg+".lock", nil, 0o644))
	require.Empty(t, scanImage(store, cfg, s0))

	require.NoError(t, os.WriteFile(filepath.Join(data, ".left.tmp"), []byte(`{"k":"a-secret-value-1234"}`), 0o600))
	got := scanImage(store, cfg, s0)
	require.Len(t, got, 1)
	require.Equal(t, model.I8, got[0].ID)
	require.Contains(t, got[0].Detail, ".left.tmp holds the value of \"k\"")
	require.NotContains(t, got[0].Detail, "a-secret-value-1234")
	require.NoError(t, os.Remove(filepath.Join(data, ".left.tmp")))

	require.NoError(t, os.Chmod(store, 0o644))
	got = scanImage(store, cfg, s0)
	require.Len(t, got, 1)
	require.Contains(t, got[0].Detail, "secrets_encrypted has mode 0644")
}

// The real soak's I8 reaches the oracle's verdict on every agreement case
// (but those of a plaintext store: the soak's stores are encrypted).
func TestScanRealImageAgreesWithModel(t *testing.T) {
	for _, c := range fixture.HygieneCases() {
		if c.Plaintext {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, c.LayOut(dir))
			got := scanImage(filepath.Join(dir, "data", "secrets_encrypted"), filepath.Join(dir, "config", "config.yaml"), c.Values)
			require.Equal(t, c.Want, fixture.HygieneVerdict(got))
		})
	}
}
