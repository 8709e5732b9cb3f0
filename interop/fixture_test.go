package interop

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	thsecrets "github.com/stacklok/toolhive/pkg/secrets"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
)

// quarantinedConflict is the fixture's conflicting bare value that
// scopemig's default policy keeps and ToolHive drops.
const (
	conflictKey         = "BEARER_TOKEN_conflict"
	quarantineKey       = "__thv_legacy_" + conflictKey
	quarantinedConflict = "bare-value-older"
)

// TestFixtureBeforeMigration pins what ToolHive reads from the fixture, so
// the acceptance tests below start from the documented state.
func TestFixtureBeforeMigration(t *testing.T) {
	before := loadExpected(t, "contents-before.json")
	secretsPath, configPath := fixtureCopy(t)
	v := readViews(t, secretsPath, nil)
	require.Equal(t, before.Raw, v.Raw)
	require.Equal(t, before.User, v.User)
	for sc, want := range before.Scoped {
		require.Equal(t, want, v.Scoped[thsecrets.SecretScope(sc)], "scope %s", sc)
	}
	cfg := thLoadConfig(t, configPath)
	require.False(t, cfg.SecretScopeMigration)
}

// TestFixtureAcceptance migrates the ToolHive-written fixture with
// scopemig's in-process packages (encfile + config + migrate.Runner) and
// reads it back with ToolHive's own code.
func TestFixtureAcceptance(t *testing.T) {
	want := loadExpected(t, "expected-after-seed-migration.json")
	for _, policy := range []migrate.Policy{migrate.Keep, migrate.Drop} {
		t.Run(policy.String(), func(t *testing.T) {
			secretsPath, configPath := fixtureCopy(t)
			wantCfg := thLoadConfig(t, copyOf(t, configPath))
			wantCfg.SecretScopeMigration = true

			rep := scopemigMigrate(t, secretsPath, configPath, policy)
			require.Equal(t, migrate.StatusMigrated, rep.Status)
			checkFixtureMigrated(t, want, policy, secretsPath, configPath)
			require.Equal(t, wantCfg, thLoadConfig(t, configPath), "ToolHive's config loader: every field intact, flag set")

			// Only the two files and ToolHive's two sidecar lock files
			// (which encfile's writes and the config's flag write lock and
			// deliberately keep, see impl/fslock) are left, no temp file,
			// all 0600.
			ls := dirListing(t, filepath.Dir(secretsPath))
			require.Len(t, ls, 4, "files: %v", ls)
			require.Contains(t, ls, filepath.Base(secretsPath)+encfile.LockFileSuffix)
			require.Contains(t, ls, filepath.Base(configPath)+config.LockFileSuffix)
			for name, mode := range ls {
				require.Equal(t, os.FileMode(0o600), mode.Perm(), name)
			}

			// One-shot: a second run writes nothing.
			sb, cb := readFile(t, secretsPath), readFile(t, configPath)
			rep = scopemigMigrate(t, secretsPath, configPath, policy)
			require.Equal(t, migrate.StatusAlreadyDone, rep.Status)
			require.Equal(t, sb, readFile(t, secretsPath))
			require.Equal(t, cb, readFile(t, configPath))
		})
	}
}

// TestFixtureSameAsToolHive runs ToolHive's own migration on one copy of
// the fixture and scopemig's (policy drop) on another: every view, the
// migration-window probes included, and the config are equal.
func TestFixtureSameAsToolHive(t *testing.T) {
	sA, cA := fixtureCopy(t)
	sB, cB := fixtureCopy(t)
	probes := probeNames(readViews(t, sA, nil).Raw)
	scopemigMigrate(t, sA, cA, migrate.Drop)
	toolhiveMigrate(t, sB, cB)
	require.Equal(t, readViews(t, sB, probes), readViews(t, sA, probes))
	require.Equal(t, thLoadConfig(t, cB), thLoadConfig(t, cA))
	require.Equal(t, loadExpected(t, "expected-after-seed-migration.json").Raw, readViews(t, sB, nil).Raw,
		"ToolHive's migration reproduces the fixture's expected content")
}

// checkFixtureMigrated reads the migrated fixture with ToolHive's code and
// compares it with expected-after-seed-migration.json (plus the quarantine
// key under policy keep).
func checkFixtureMigrated(t *testing.T, want expectedFixture, policy migrate.Policy, secretsPath, configPath string) {
	t.Helper()
	wantRaw := maps.Clone(want.Raw)
	wantLegacy := map[string]string{}
	if policy == migrate.Keep {
		wantRaw[quarantineKey] = quarantinedConflict
		wantLegacy[conflictKey] = quarantinedConflict
	}
	v := readViews(t, secretsPath, probeNames(wantRaw))
	require.Equal(t, wantRaw, v.Raw)
	require.Equal(t, want.User, v.User)
	require.Len(t, want.Scoped, 4)
	for sc, m := range want.Scoped {
		require.Equal(t, m, v.Scoped[thsecrets.SecretScope(sc)], "scope %s", sc)
	}
	require.Equal(t, wantLegacy, v.Scoped["legacy"])

	cfg := thLoadConfig(t, configPath)
	require.Equal(t, want.SecretScopeMigration, cfg.SecretScopeMigration)
	require.True(t, cfg.SecretScopeMigration)
	require.Equal(t, want.SetupCompleted, cfg.Secrets.SetupCompleted)
	require.Equal(t, want.ProviderType, cfg.Secrets.ProviderType)
	require.Equal(t, want.RegistryURL, cfg.RegistryUrl)
	require.Equal(t, want.DefaultGroupMigration, cfg.DefaultGroupMigration)
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// copyOf copies path into a fresh directory and returns the copy's path
// (ToolHive's config loader may write to the file it loads).
func copyOf(t testing.TB, path string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(path))
	copyFile(t, path, dst)
	return dst
}
