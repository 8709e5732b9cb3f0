package envstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/envstore"
	"github.com/scopemig/scopemig/impl/secrets"
)

var ctx = context.Background()

func TestGetSecret(t *testing.T) {
	s := envstore.FromMap(map[string]string{
		"TOOLHIVE_SECRET_github": "tok",
		"TOOLHIVE_SECRET_empty":  "",
		"github":                 "not prefixed",
	})
	v, err := s.GetSecret(ctx, "github")
	require.NoError(t, err)
	require.Equal(t, "tok", v)

	for _, name := range []string{"empty", "missing", "TOOLHIVE_SECRET_github"} {
		_, err = s.GetSecret(ctx, name)
		require.ErrorIs(t, err, secrets.ErrNotFound, name)
	}
	_, err = s.GetSecret(ctx, "")
	require.ErrorIs(t, err, secrets.ErrInvalidName)

	var zero envstore.Store
	_, err = zero.GetSecret(ctx, "github")
	require.ErrorIs(t, err, secrets.ErrNotFound, "zero value is an empty environment")
}

func TestFromOS(t *testing.T) {
	t.Setenv("TOOLHIVE_SECRET_scopemig_test", "from-os")
	v, err := envstore.FromOS().GetSecret(ctx, "scopemig_test")
	require.NoError(t, err)
	require.Equal(t, "from-os", v)
}

func TestReadOnly(t *testing.T) {
	s := envstore.FromMap(map[string]string{"TOOLHIVE_SECRET_a": "1"})
	require.ErrorIs(t, s.SetSecret(ctx, "a", "2"), secrets.ErrReadOnly)
	require.ErrorIs(t, s.DeleteSecret(ctx, "a"), secrets.ErrReadOnly)
	require.ErrorIs(t, s.DeleteSecrets(ctx, []string{"a"}), secrets.ErrReadOnly)
	require.ErrorIs(t, s.SetSecret(ctx, "", "2"), secrets.ErrInvalidName)
	require.ErrorIs(t, s.DeleteSecret(ctx, ""), secrets.ErrInvalidName)

	_, err := s.ListSecrets(ctx)
	require.ErrorIs(t, err, envstore.ErrListUnsupported)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	require.NoError(t, s.Cleanup())

	v, err := s.GetSecret(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, "1", v, "nothing changed")

	c := s.Capabilities()
	require.Equal(t, secrets.Capabilities{CanRead: true}, c)
	require.True(t, c.IsReadOnly())
}
