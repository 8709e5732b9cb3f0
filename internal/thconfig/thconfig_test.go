package thconfig_test

import (
	"context"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/internal/thconfig"
)

// The simulation keeps what ToolHive's struct keeps and drops the rest;
// the interop module compares it with the real UpdateConfigAtPath.
func TestUpdateAtPathDropsWhatToolHiveDrops(t *testing.T) {
	fsys := fslock.WithLocker(afero.NewMemMapFs())
	const path = "/cfg/config.yaml"
	require.NoError(t, afero.WriteFile(fsys, path, []byte("# comment\nunknown: 1\nsecrets:\n    provider_type: basic\ndisable_usage_metrics: false\n"), 0o600))
	require.NoError(t, thconfig.UpdateAtPath(context.Background(), fsys, path, thconfig.SetString("registry_url", "u")))
	got, err := afero.ReadFile(fsys, path)
	require.NoError(t, err)
	require.Equal(t, `secrets:
    provider_type: encrypted
    setup_completed: true
clients:
    registered_clients: []
registry_url: u
registry_api_url: ""
local_registry_path: ""
allow_private_registry_ip: false
`, string(got))
	again, err := thconfig.Rewrite(true, got, thconfig.SetString("registry_url", "u"))
	require.NoError(t, err)
	require.Equal(t, string(got), string(again), "Rewrite computes the same document")
}

func TestUpdateAtPathRefusesWhatToolHiveRefuses(t *testing.T) {
	fsys := fslock.WithLocker(afero.NewMemMapFs())
	const path = "/config.yaml"
	bad := []byte("registry_url: [1, 2]\n")
	require.NoError(t, afero.WriteFile(fsys, path, bad, 0o600))
	err := thconfig.UpdateAtPath(context.Background(), fsys, path, thconfig.SetString("registry_url", "u"))
	require.ErrorIs(t, err, thconfig.ErrLoad)
	got, rerr := afero.ReadFile(fsys, path)
	require.NoError(t, rerr)
	require.Equal(t, bad, got, "nothing written")

	_, err = thconfig.Rewrite(false, nil, thconfig.SetString("otel", "x"))
	require.ErrorIs(t, err, thconfig.ErrNoStringField)
}
