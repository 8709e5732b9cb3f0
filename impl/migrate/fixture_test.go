package migrate_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
)

const fixtureDir = "../../testdata/toolhive-v0.47.0"

func readRaw(t *testing.T, name string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	require.NoError(t, err)
	var doc struct {
		Raw map[string]string `json:"raw"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	require.NotEmpty(t, doc.Raw)
	return doc.Raw
}

// paths returns the store under test for both Apply paths.
func paths() map[string]func(*counting) secrets.Provider {
	return map[string]func(*counting) secrets.Provider{
		"transaction": func(c *counting) secrets.Provider { return c },
		"per-key":     func(c *counting) secrets.Provider { return perKey{c} },
	}
}

func TestFixtureMatchesToolHive(t *testing.T) {
	before := readRaw(t, "contents-before.json")
	after := readRaw(t, "expected-after-seed-migration.json")
	keepWant := maps.Clone(after)
	keepWant["__thv_legacy_BEARER_TOKEN_conflict"] = "bare-value-older"

	for name, wrap := range paths() {
		for _, tc := range []struct {
			policy migrate.Policy
			want   map[string]string
		}{{migrate.Drop, after}, {migrate.Keep, keepWant}} {
			t.Run(name+"/"+tc.policy.String(), func(t *testing.T) {
				ctx := context.Background()
				store := newCounting(before)
				flag := &migrate.MemoryFlag{}
				r := migrate.Runner{Provider: wrap(store), Flag: flag, Policy: tc.policy}

				plan, err := migrate.Discover(ctx, r.Provider, r.Scheme, r.Policy)
				require.NoError(t, err)
				require.Zero(t, store.writes.Load(), "Discover must not write")

				rep, err := r.Run(ctx)
				require.NoError(t, err)
				require.Equal(t, migrate.StatusMigrated, rep.Status)
				require.Equal(t, tc.want, store.Snapshot())
				require.Equal(t, plan.Steps, rep.Steps, "the plan predicts the run")
				require.Equal(t, name == "transaction", rep.Transactional)
				require.Equal(t, migrate.Counts{Moved: 7, AlreadyScoped: 1,
					Quarantined: map[bool]int{true: 1}[tc.policy == migrate.Keep],
					Dropped:     map[bool]int{true: 1}[tc.policy == migrate.Drop]}, rep.Counts)
				got, err := flag.Migrated(ctx)
				require.NoError(t, err)
				require.True(t, got)

				writes := store.writes.Load()
				again, err := r.Run(ctx)
				require.NoError(t, err)
				require.Equal(t, migrate.StatusAlreadyDone, again.Status)
				require.Equal(t, writes, store.writes.Load(), "second run must not write")
				require.Equal(t, 1, flag.Writes())
			})
		}
	}
}

func TestFixtureStepsAreTyped(t *testing.T) {
	ctx := context.Background()
	store := secrets.NewMemory(readRaw(t, "contents-before.json"))
	plan, err := migrate.Discover(ctx, store, secrets.Scheme{}, migrate.Keep)
	require.NoError(t, err)
	byKey := map[string]migrate.Step{}
	for _, s := range plan.Steps {
		byKey[s.Key] = s
	}
	require.Len(t, byKey, 9)
	require.Equal(t, migrate.Step{
		Key: "BEARER_TOKEN_conflict", Target: "__thv_workloads_BEARER_TOKEN_conflict", Scope: "workloads",
		Outcome: migrate.ConflictQuarantined, Quarantine: "__thv_legacy_BEARER_TOKEN_conflict",
		Fingerprint:       secrets.Fingerprint("bare-value-older"),
		TargetFingerprint: secrets.Fingerprint("scoped-value-newer"),
	}, byKey["BEARER_TOKEN_conflict"])
	require.Equal(t, migrate.AlreadyScoped, byKey["BEARER_TOKEN_same"].Outcome)
	require.Equal(t, migrate.Moved, byKey["REGISTRY_OAUTH_a1b2c3d4"].Outcome)
	require.Equal(t, "registry", byKey["REGISTRY_OAUTH_a1b2c3d4"].Scope)
	require.Empty(t, byKey["REGISTRY_OAUTH_a1b2c3d4"].TargetFingerprint)
}
