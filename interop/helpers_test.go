package interop

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/spf13/afero"
	thconfig "github.com/stacklok/toolhive/pkg/config"
	thsecrets "github.com/stacklok/toolhive/pkg/secrets"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
)

// Fixture facts (see ../testdata/toolhive-v0.47.0/README.md).
const (
	fixtureDir  = "../testdata/toolhive-v0.47.0"
	password    = "correct horse battery staple"
	secretsName = "secrets_encrypted" // ToolHive: $XDG_DATA_HOME/toolhive/secrets_encrypted
	configName  = "config.yaml"       // ToolHive: $XDG_CONFIG_HOME/toolhive/config.yaml
)

// scopes are the scopes every view is read in: ToolHive's four and
// scopemig's quarantine scope.
var scopes = []thsecrets.SecretScope{
	thsecrets.ScopeRegistry, thsecrets.ScopeWorkloads, thsecrets.ScopeAuth, thsecrets.ScopeLLM, "legacy",
}

// thKey is ToolHive's encryption key for password: SHA-256 of it.
func thKey() []byte {
	k := sha256.Sum256([]byte(password))
	return k[:]
}

// copyFile copies src to dst with mode 0600.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dst, b, 0o600))
}

// fixtureCopy copies the fixture store and config into a fresh directory
// and returns their paths.
func fixtureCopy(t testing.TB) (secretsPath, configPath string) {
	t.Helper()
	dir := t.TempDir()
	secretsPath, configPath = filepath.Join(dir, secretsName), filepath.Join(dir, configName)
	copyFile(t, filepath.Join(fixtureDir, secretsName), secretsPath)
	copyFile(t, filepath.Join(fixtureDir, configName), configPath)
	return secretsPath, configPath
}

// thManager opens path with ToolHive's own EncryptedManager.
func thManager(t testing.TB, path string) thsecrets.Provider {
	t.Helper()
	p, err := thsecrets.NewEncryptedManager(path, thKey())
	require.NoError(t, err)
	return p
}

// views is everything a ToolHive caller can observe in a store, read with
// ToolHive's own providers. Values are compared by the tests but never
// printed on their own: failures print key names and the diff testify
// renders, and every value in these tests is synthetic.
type views struct {
	// Raw is the EncryptedManager's content (ListSecrets + GetSecret).
	Raw map[string]string
	// User is the UserProvider's content (ListSecrets + GetSecret).
	User map[string]string
	// Scoped is, per scope, the ScopedProvider's ListSecrets + GetSecret.
	Scoped map[thsecrets.SecretScope]map[string]string
	// Probe is, per scope, ScopedProvider.GetSecret of every probe name
	// (found values only): the reads of the migration window, fallback to
	// the bare key included.
	Probe map[thsecrets.SecretScope]map[string]string
}

// readViews reads every view of the store at path with ToolHive's code.
// probes are the names to Get through every ScopedProvider.
func readViews(t testing.TB, path string, probes []string) views {
	t.Helper()
	ctx := context.Background()
	raw := thManager(t, path)
	v := views{
		Raw:    listGet(t, raw),
		User:   listGet(t, thsecrets.NewUserProvider(raw)),
		Scoped: map[thsecrets.SecretScope]map[string]string{},
		Probe:  map[thsecrets.SecretScope]map[string]string{},
	}
	for _, sc := range scopes {
		sp := thsecrets.NewScopedProvider(raw, sc)
		v.Scoped[sc] = listGet(t, sp)
		v.Probe[sc] = map[string]string{}
		for _, name := range probes {
			val, err := sp.GetSecret(ctx, name)
			if err != nil {
				require.Truef(t, thsecrets.IsNotFoundError(err), "scope %s get %q: %v", sc, name, err)
				continue
			}
			v.Probe[sc][name] = val
		}
	}
	return v
}

// listGet lists p and reads every listed key back through p.
func listGet(t testing.TB, p thsecrets.Provider) map[string]string {
	t.Helper()
	ctx := context.Background()
	descs, err := p.ListSecrets(ctx)
	require.NoError(t, err)
	out := make(map[string]string, len(descs))
	for _, d := range descs {
		val, err := p.GetSecret(ctx, d.Key)
		require.NoErrorf(t, err, "get listed key %q", d.Key)
		out[d.Key] = val
	}
	return out
}

// probeNames returns every key of m and, for system keys, the name part
// after "__thv_<scope>_", sorted and deduplicated.
func probeNames(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
		if _, name, ok := thsecrets.ParseSystemKey(k); ok && name != "" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// thLoadConfig loads path with ToolHive's own config loader.
func thLoadConfig(t testing.TB, path string) thconfig.Config {
	t.Helper()
	c, err := thconfig.LoadOrCreateConfigFromPath(path)
	require.NoError(t, err)
	return *c
}

// scopemigMigrate runs scopemig's Runner in-process on the store and
// config at the given paths, with the real OS filesystem.
func scopemigMigrate(t testing.TB, secretsPath, configPath string, policy migrate.Policy) migrate.Report {
	t.Helper()
	rep, err := runScopemig(secretsPath, configPath, policy)
	require.NoError(t, err)
	return rep
}

func runScopemig(secretsPath, configPath string, policy migrate.Policy) (migrate.Report, error) {
	osfs := afero.NewOsFs()
	st, err := encfile.Open(osfs, secretsPath, []byte(password))
	if err != nil {
		return migrate.Report{}, err
	}
	r := migrate.Runner{Provider: st, Flag: config.Flag{Fs: osfs, Path: configPath}, Policy: policy}
	return r.Run(context.Background())
}

// toolhiveMigrate runs ToolHive v0.47.0's own one-shot migration on the
// store and config at the given paths, step for step as
// pkg/migration.CheckAndPerformSecretScopeMigration does (minus the
// keyring and XDG lookups): flag check, DiscoverMigrations,
// MigrateSystemKeys, then UpdateConfigAtPath setting the flag.
func toolhiveMigrate(t testing.TB, secretsPath, configPath string) {
	t.Helper()
	require.NoError(t, runToolHive(secretsPath, configPath))
}

func runToolHive(secretsPath, configPath string) error {
	cfg, err := thconfig.LoadOrCreateConfigFromPath(configPath)
	if err != nil {
		return err
	}
	if cfg.SecretScopeMigration {
		return nil
	}
	p, err := thsecrets.NewEncryptedManager(secretsPath, thKey())
	if err != nil {
		return err
	}
	return toolhiveMigrateProvider(p, configPath)
}

// toolhiveMigrateProvider is ToolHive's discover + migrate + flag on p.
func toolhiveMigrateProvider(p thsecrets.Provider, configPath string) error {
	ctx := context.Background()
	migs, err := thsecrets.DiscoverMigrations(ctx, p)
	if err != nil {
		return err
	}
	if len(migs) > 0 {
		if err := thsecrets.MigrateSystemKeys(ctx, p, migs); err != nil {
			return err
		}
	}
	return thconfig.UpdateConfigAtPath(configPath, func(c *thconfig.Config) error {
		c.SecretScopeMigration = true
		return nil
	})
}

// expectedFixture is testdata/.../expected-after-seed-migration.json.
type expectedFixture struct {
	Raw                   map[string]string            `json:"raw"`
	User                  map[string]string            `json:"user"`
	Scoped                map[string]map[string]string `json:"scoped"`
	SecretScopeMigration  bool                         `json:"secret_scope_migration"`
	SetupCompleted        bool                         `json:"setup_completed"`
	ProviderType          string                       `json:"provider_type"`
	RegistryURL           string                       `json:"registry_url"`
	DefaultGroupMigration bool                         `json:"default_group_migration"`
}

func loadExpected(t testing.TB, name string) expectedFixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	require.NoError(t, err)
	var e expectedFixture
	require.NoError(t, json.Unmarshal(b, &e))
	require.NotEmpty(t, e.Raw)
	return e
}

// dirListing returns the names and permission bits of the files in dir.
func dirListing(t testing.TB, dir string) map[string]fs.FileMode {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string]fs.FileMode{}
	for _, e := range ents {
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		require.NoError(t, err)
		out[e.Name()] = info.Mode()
	}
	return out
}
