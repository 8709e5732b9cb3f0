package interop

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	thsecrets "github.com/stacklok/toolhive/pkg/secrets"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
)

// randomSeeds are the seeds TestRandomStoresMatchToolHive runs; set
// INTEROP_SEED to run one seed instead (the replay of a failure).
func randomSeeds(t *testing.T) []uint64 {
	if s := os.Getenv("INTEROP_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "INTEROP_SEED")
		return []uint64{seed}
	}
	return []uint64{1, 2, 3, 4, 5, 6, 7, 8, 0xdecafbad, 20260410}
}

// TestRandomStoresMatchToolHive writes seeded random stores with ToolHive's
// own EncryptedManager (one SetSecret per key), then migrates one copy with
// scopemig (policy drop, in-process Runner) and another with ToolHive's own
// DiscoverMigrations + MigrateSystemKeys + config update. Read back with
// ToolHive's code, the two are equal in every view: raw, user, every
// scope's listing, and a Get of every name through every ScopedProvider
// (the migration-window fallback included); the configs load equal; the
// directories hold the same files with the same modes. Under policy keep
// scopemig's result is ToolHive's plus one quarantine key per dropped
// conflict value, and every ToolHive scope and the user view still match.
func TestRandomStoresMatchToolHive(t *testing.T) {
	for _, seed := range randomSeeds(t) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("seed=%d; replay: cd interop && INTEROP_SEED=%d go test -count=1 -run 'TestRandomStoresMatchToolHive' .", seed, seed)
				}
			})
			checkRandomStore(t, genStore(seed, 20))
		})
	}
}

func checkRandomStore(t *testing.T, content map[string]string) {
	ctx := context.Background()
	orig := filepath.Join(t.TempDir(), secretsName)
	th := thManager(t, orig)
	keys := make([]string, 0, len(content))
	for k := range content {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		require.NoError(t, th.SetSecret(ctx, k, content[k]))
	}
	require.Equal(t, content, readViews(t, orig, nil).Raw, "ToolHive wrote the generated store")
	probes := probeNames(content)
	for k := range content { // a name that only a fallback read resolves
		probes = append(probes, "missing-"+k)
	}

	// Three copies of the store and the fixture config.
	type copyPaths struct{ dir, secrets, config string }
	mk := func() copyPaths {
		dir := t.TempDir()
		c := copyPaths{dir, filepath.Join(dir, secretsName), filepath.Join(dir, configName)}
		copyFile(t, orig, c.secrets)
		copyFile(t, filepath.Join(fixtureDir, configName), c.config)
		return c
	}
	tool, drop, keep := mk(), mk(), mk()

	toolhiveMigrate(t, tool.secrets, tool.config)
	rep := scopemigMigrate(t, drop.secrets, drop.config, migrate.Drop)
	require.Equal(t, migrate.StatusMigrated, rep.Status)
	scopemigMigrate(t, keep.secrets, keep.config, migrate.Keep)

	want := readViews(t, tool.secrets, probes)
	got := readViews(t, drop.secrets, probes)
	require.Equal(t, want, got, "policy drop: every view equals ToolHive's own migration")
	require.Equal(t, thLoadConfig(t, tool.config), thLoadConfig(t, drop.config))
	// Same files and modes, except the sidecar lock files of the store and
	// the config: ToolHive removes them after each write, scopemig keeps
	// them (see impl/fslock).
	dropLs := dirListing(t, drop.dir)
	for _, lock := range []string{secretsName + encfile.LockFileSuffix, configName + config.LockFileSuffix} {
		require.Equal(t, os.FileMode(0o600), dropLs[lock].Perm(), lock)
		delete(dropLs, lock)
	}
	require.Equal(t, dirListing(t, tool.dir), dropLs)

	// Policy keep: ToolHive's content plus the quarantined conflict losers.
	kept := readViews(t, keep.secrets, probes)
	extra := map[string]string{}
	for k, v := range kept.Raw {
		if _, ok := want.Raw[k]; !ok {
			extra[k] = v
		} else {
			require.Equal(t, want.Raw[k], v, "key %q", k)
		}
	}
	wantExtra := map[string]string{}
	for k, v := range content {
		tgt, ok := legacyTarget(k)
		if !ok {
			continue
		}
		if tv, had := content[tgt]; had && tv != v {
			q := "__thv_legacy_" + k
			if qv, taken := content[q]; taken && qv != v {
				q = nextFreeQuarantine(content, k, v)
			}
			if _, pre := content[q]; !pre {
				wantExtra[q] = v
			}
		}
	}
	require.Equal(t, wantExtra, extra, "policy keep: only quarantine keys are added")
	require.Equal(t, want.User, kept.User)
	for _, sc := range scopes[:4] {
		require.Equal(t, want.Scoped[sc], kept.Scoped[sc], "scope %s", sc)
	}
	legacyWant := maps.Clone(want.Scoped["legacy"])
	for k, v := range extra {
		legacyWant[k[len("__thv_legacy_"):]] = v
	}
	require.Equal(t, legacyWant, kept.Scoped["legacy"])
}

// legacyTarget is ToolHive's mapping, first match wins.
func legacyTarget(k string) (string, bool) {
	if thsecrets.IsSystemKey(k) {
		return "", false
	}
	for _, m := range thsecrets.SystemKeyPrefixMappings {
		if len(k) >= len(m.Prefix) && k[:len(m.Prefix)] == m.Prefix {
			return thsecrets.SystemKeyPrefix + string(m.Scope) + "_" + k, true
		}
	}
	return "", false
}

// nextFreeQuarantine is the spec's slot search: __thv_legacy_<k>#2, #3, …
// the first free or equal one.
func nextFreeQuarantine(content map[string]string, k, v string) string {
	for n := 2; ; n++ {
		q := "__thv_legacy_" + k + "#" + strconv.Itoa(n)
		if qv, taken := content[q]; !taken || qv == v {
			return q
		}
	}
}
