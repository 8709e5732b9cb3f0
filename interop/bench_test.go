package interop

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	thaes "github.com/stacklok/toolhive/pkg/secrets/aes"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/migrate"
)

// benchSizes are the store sizes of both benchmarks.
var benchSizes = []int{100, 1000}

// benchStore returns a store with n legacy keys spread over the seven
// prefixes (every tenth with an identical scoped pair, every tenth with a
// conflicting one) and n/5 user keys.
func benchStore(n int) map[string]string {
	prefixes, scopeOf := legacyPrefixes()
	m := map[string]string{}
	for i := range n {
		p := prefixes[i%len(prefixes)]
		k := fmt.Sprintf("%sworkload-%05d", p, i)
		v := fmt.Sprintf("value-%05d-%s", i, "0123456789abcdef0123456789abcdef")
		m[k] = v
		t := "__thv_" + scopeOf[p] + "_" + k
		switch i % 10 {
		case 3:
			m[t] = v
		case 7:
			m[t] = v + "-newer"
		}
	}
	for i := range n / 5 {
		m[fmt.Sprintf("user-secret-%05d", i)] = fmt.Sprintf("user-value-%05d", i)
	}
	return m
}

// benchFile encrypts m exactly as ToolHive's EncryptedManager writes it
// (ToolHive's own aes package over {"secrets":{...}}).
func benchFile(b *testing.B, m map[string]string) []byte {
	b.Helper()
	plain, err := json.Marshal(struct {
		Secrets map[string]string `json:"secrets"`
	}{m})
	require.NoError(b, err)
	enc, err := thaes.Encrypt(plain, thKey())
	require.NoError(b, err)
	return enc
}

// runMigrationBench times migrate on a fresh copy of the same store and
// config in a real temp directory per iteration (the copy is not timed),
// then checks with ToolHive's code that the last run migrated everything.
func runMigrationBench(b *testing.B, migrateFn func(secretsPath, configPath string) error) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			store := benchFile(b, benchStore(n))
			cfg := readFile(b, filepath.Join(fixtureDir, configName))
			dir := b.TempDir()
			secretsPath, configPath := filepath.Join(dir, secretsName), filepath.Join(dir, configName)
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				require.NoError(b, os.WriteFile(secretsPath, store, 0o600))
				require.NoError(b, os.WriteFile(configPath, cfg, 0o600))
				b.StartTimer()
				require.NoError(b, migrateFn(secretsPath, configPath))
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/key")
			v := readViews(b, secretsPath, nil)
			for k := range v.Raw {
				_, legacy := legacyTarget(k)
				require.False(b, legacy, "legacy key left: %q", k)
			}
			require.True(b, thLoadConfig(b, configPath).SecretScopeMigration)
		})
	}
}

// BenchmarkToolHiveMigrate times ToolHive v0.47.0's own one-shot migration
// (DiscoverMigrations, MigrateSystemKeys, config flag) on a real encrypted
// store of N legacy keys.
func BenchmarkToolHiveMigrate(b *testing.B) {
	runMigrationBench(b, runToolHive)
}

// BenchmarkScopemigMigrate times scopemig's Runner (encfile, one Update
// transaction, config flag; policy drop as ToolHive) on the same store.
func BenchmarkScopemigMigrate(b *testing.B) {
	runMigrationBench(b, func(secretsPath, configPath string) error {
		_, err := runScopemig(secretsPath, configPath, migrate.Drop)
		return err
	})
}
