package secrets_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

// TestScopedNoFallbackForReservedNames: a scope never reads another scope's
// key through the bare-key fallback, on a real encrypted
// store in a real directory; a non-reserved name still falls back.
func TestScopedNoFallbackForReservedNames(t *testing.T) {
	ctx := context.Background()
	st, err := encfile.Open(afero.NewOsFs(), filepath.Join(t.TempDir(), "secrets_encrypted"), []byte("pw"))
	require.NoError(t, err)
	require.NoError(t, st.SetSecret(ctx, "__thv_registry_y", "registry-secret"))
	require.NoError(t, st.SetSecret(ctx, "__thv_legacy_BEARER_TOKEN_q", "quarantined"))
	require.NoError(t, st.SetSecret(ctx, "BEARER_TOKEN_b", "bare"))

	wl, err := secrets.NewScopedProvider(st, secrets.Scheme{}, secrets.ScopeWorkloads)
	require.NoError(t, err)
	for _, name := range []string{"__thv_registry_y", "__thv_legacy_BEARER_TOKEN_q", "__thv_"} {
		v, err := wl.GetSecret(ctx, name)
		require.ErrorIs(t, err, secrets.ErrNotFound, "%q must not read through the fallback", name)
		require.Empty(t, v)
	}
	v, err := wl.GetSecret(ctx, "BEARER_TOKEN_b")
	require.NoError(t, err, "the migration-window fallback still applies to ordinary names")
	require.Equal(t, "bare", v)

	// A scoped key whose name happens to be reserved is still readable
	// (it is this scope's own key).
	require.NoError(t, wl.SetSecret(ctx, "__thv_registry_y", "own"))
	v, err = wl.GetSecret(ctx, "__thv_registry_y")
	require.NoError(t, err)
	require.Equal(t, "own", v)
}

// TestScopedRejectsEmptyName: an empty name is refused by every method (a
// documented difference from ToolHive, which stores "__thv_<scope>_").
func TestScopedRejectsEmptyName(t *testing.T) {
	ctx := context.Background()
	sp, err := secrets.NewScopedProvider(secrets.NewMemory(nil), secrets.Scheme{}, secrets.ScopeWorkloads)
	require.NoError(t, err)
	_, err = sp.GetSecret(ctx, "")
	require.ErrorIs(t, err, secrets.ErrInvalidName)
	require.ErrorIs(t, sp.SetSecret(ctx, "", "v"), secrets.ErrInvalidName)
	require.ErrorIs(t, sp.DeleteSecret(ctx, ""), secrets.ErrInvalidName)
	require.True(t, errors.Is(sp.DeleteSecrets(ctx, []string{"a", ""}), secrets.ErrInvalidName))
}
