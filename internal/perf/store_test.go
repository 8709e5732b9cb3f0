package perf

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// Both migrators of the benchmarks migrate a RealStore: Check fails on the
// reset store (legacy keys, no flag) and passes after each migration.
func TestRealStoreMigrators(t *testing.T) {
	ctx := context.Background()
	r, err := NewRealStore(t.TempDir(), fixture.BenchStore(20))
	require.NoError(t, err)
	for name, m := range map[string]func() error{
		"runner":   func() error { return r.Migrate(ctx, fixture.RunnerMigrator(model.Keep, nil)) },
		"toolhive": func() error { return r.Migrate(ctx, ToolHiveMigrator()) },
	} {
		require.NoError(t, r.Reset(), name)
		require.Error(t, r.Check(ctx), "%s: an unmigrated store passes Check", name)
		require.NoError(t, m(), name)
		require.NoError(t, r.Check(ctx), name)
	}
}

func TestKillRateNeedsACommand(t *testing.T) {
	_, err := KillRate(context.Background(), nil, 1)
	require.ErrorIs(t, err, errNoCommand)
}
