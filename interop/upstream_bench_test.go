package interop

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkUpstreamMigrate times ToolHive's startup migration (cmd/thvdriver:
// DiscoverMigrations, MigrateSystemKeys, the config flag) built from
// v0.47.0 as released and from the patched copy (interop/upstream), side by
// side, on the same store of 1,000 legacy keys (benchStore) in a real temp
// directory; each iteration is one process run on a fresh copy (the copy is
// not timed). Both include the same process start. The last run of each is
// checked: no legacy key left, flag set.
//
//	cd interop && go test -run '^$' -bench UpstreamMigrate -benchtime 1x .
func BenchmarkUpstreamMigrate(b *testing.B) {
	const n = 1000
	builds := []thvBuild{
		buildThv(b, "v0.47.0", nil),
		buildThv(b, "patched", upstreamPatches(b)),
	}
	store := benchFile(b, benchStore(n))
	cfg := readFile(b, filepath.Join(fixtureDir, configName))
	for _, tb := range builds {
		b.Run(tb.Name+"/N=1000", func(b *testing.B) {
			dir := b.TempDir()
			secretsPath, configPath := filepath.Join(dir, secretsName), filepath.Join(dir, configName)
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				require.NoError(b, os.WriteFile(secretsPath, store, 0o600))
				require.NoError(b, os.WriteFile(configPath, cfg, 0o600))
				cmd := exec.Command(tb.Driver, secretsPath, configPath)
				cmd.Env = append(os.Environ(), "TOOLHIVE_SECRETS_PASSWORD="+password)
				b.StartTimer()
				out, err := cmd.CombinedOutput()
				require.NoError(b, err, "%s", out)
			}
			b.StopTimer()
			for k := range readViews(b, secretsPath, nil).Raw {
				_, legacy := legacyTarget(k)
				require.False(b, legacy, "%s: legacy key left: %q", tb.Name, k)
			}
			require.True(b, thLoadConfig(b, configPath).SecretScopeMigration)
		})
	}
}
