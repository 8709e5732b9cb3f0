package migrate_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/migrate"
)

func TestPolicy(t *testing.T) {
	var zero migrate.Policy
	require.Equal(t, migrate.Keep, zero, "zero value is Keep")
	for _, p := range []migrate.Policy{migrate.Keep, migrate.Drop} {
		got, err := migrate.ParsePolicy(p.String())
		require.NoError(t, err)
		require.Equal(t, p, got)
		b, err := p.MarshalText()
		require.NoError(t, err)
		var back migrate.Policy
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, p, back)
	}
	for _, bad := range []string{"", "KEEP", "quarantine"} {
		_, err := migrate.ParsePolicy(bad)
		require.ErrorIs(t, err, migrate.ErrUnknownPolicy, bad)
	}
	p := migrate.Drop
	require.ErrorIs(t, p.Set("nope"), migrate.ErrUnknownPolicy)
	require.Equal(t, migrate.Drop, p, "a failed Set leaves the value")
	require.NoError(t, p.Set("keep"))
	require.Equal(t, migrate.Keep, p)
	require.NotEmpty(t, p.Type())
	_, err := migrate.Policy(7).MarshalText()
	require.ErrorIs(t, err, migrate.ErrUnknownPolicy)
	require.Equal(t, "Policy(7)", migrate.Policy(7).String())
}
