package interop

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adrg/xdg"
	thconfig "github.com/stacklok/toolhive/pkg/config"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/migrate"
)

// cliReport is the part of `scopemig migrate --json` these tests read.
type cliReport struct {
	Command     string         `json:"command"`
	Status      migrate.Status `json:"status"`
	SecretsFile string         `json:"secrets_file"`
	ConfigFile  string         `json:"config_file"`
	Counts      migrate.Counts `json:"counts"`
}

// buildCLI builds the real scopemig binary from the main module.
func buildCLI(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("../cmd/scopemig"); errors.Is(err, os.ErrNotExist) {
		t.Skip("../cmd/scopemig does not exist yet")
	}
	bin := filepath.Join(t.TempDir(), "scopemig")
	out, err := exec.Command("go", "build", "-C", "..", "-o", bin, "./cmd/scopemig").CombinedOutput()
	require.NoError(t, err, "go build ./cmd/scopemig: %s", out)
	return bin
}

// runCLI runs the binary with env added to the environment and returns
// stdout, stderr and the exit code.
func runCLI(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		require.NoError(t, err)
	}
	return o.String(), e.String(), code
}

// requireNoValues fails if out contains any secret value of the fixture
// (reports print fingerprints only). It prints key names, never values.
// The fixture value "already-scoped" is also an outcome name, which
// reports do print; it is skipped.
func requireNoValues(t *testing.T, out string) {
	t.Helper()
	for k, v := range loadExpected(t, "contents-before.json").Raw {
		if v == string(migrate.AlreadyScoped) {
			continue
		}
		if v != "" && strings.Contains(out, v) {
			t.Fatalf("output contains the value of %q", k)
		}
	}
}

// TestCLIFixture migrates the fixture with the real `scopemig migrate`
// binary and reads the result back with ToolHive's code.
func TestCLIFixture(t *testing.T) {
	bin := buildCLI(t)
	want := loadExpected(t, "expected-after-seed-migration.json")
	pw := "TOOLHIVE_SECRETS_PASSWORD=" + password

	t.Run("explicit paths, drop", func(t *testing.T) {
		secretsPath, configPath := fixtureCopy(t)
		wantCfg := thLoadConfig(t, copyOf(t, configPath))
		wantCfg.SecretScopeMigration = true
		args := []string{"migrate", "--secrets-file", secretsPath, "--config", configPath, "--on-conflict", "drop", "--json"}
		out, errOut, code := runCLI(t, bin, []string{pw}, args...)
		require.Equal(t, 0, code, "stderr: %s", errOut)
		requireNoValues(t, out+errOut)
		var rep cliReport
		require.NoError(t, json.Unmarshal([]byte(out), &rep))
		require.Equal(t, migrate.StatusMigrated, rep.Status)
		require.Equal(t, migrate.Counts{Moved: 7, AlreadyScoped: 1, Dropped: 1}, rep.Counts)
		checkFixtureMigrated(t, want, migrate.Drop, secretsPath, configPath)
		require.Equal(t, wantCfg, thLoadConfig(t, configPath))

		sb, cb := readFile(t, secretsPath), readFile(t, configPath)
		out, errOut, code = runCLI(t, bin, []string{pw}, args...)
		require.Equal(t, 0, code, "stderr: %s", errOut)
		require.NoError(t, json.Unmarshal([]byte(out), &rep))
		require.Equal(t, migrate.StatusAlreadyDone, rep.Status)
		require.Equal(t, sb, readFile(t, secretsPath))
		require.Equal(t, cb, readFile(t, configPath))
	})

	t.Run("ToolHive's XDG default paths, keep", func(t *testing.T) {
		home := t.TempDir()
		dataHome, configHome := filepath.Join(home, "data"), filepath.Join(home, "config")
		for _, d := range []string{filepath.Join(dataHome, "toolhive"), filepath.Join(configHome, "toolhive")} {
			require.NoError(t, os.MkdirAll(d, 0o700))
		}
		// Cleanups run last-in first-out: this one runs after t.Setenv's
		// have restored the environment.
		t.Cleanup(xdg.Reload)
		t.Setenv("HOME", home)
		t.Setenv("XDG_DATA_HOME", dataHome)
		t.Setenv("XDG_CONFIG_HOME", configHome)
		xdg.Reload()
		// The paths ToolHive resolves: pkg/secrets/factory.go and pkg/config/config.go.
		secretsPath, err := xdg.DataFile("toolhive/secrets_encrypted")
		require.NoError(t, err)
		configPath, err := xdg.ConfigFile("toolhive/config.yaml")
		require.NoError(t, err)
		require.Equal(t, filepath.Join(dataHome, "toolhive", secretsName), secretsPath)
		copyFile(t, filepath.Join(fixtureDir, secretsName), secretsPath)
		copyFile(t, filepath.Join(fixtureDir, configName), configPath)

		out, errOut, code := runCLI(t, bin, []string{pw}, "migrate", "--json")
		require.Equal(t, 0, code, "stderr: %s", errOut)
		requireNoValues(t, out+errOut)
		var rep cliReport
		require.NoError(t, json.Unmarshal([]byte(out), &rep))
		require.Equal(t, migrate.StatusMigrated, rep.Status)
		require.Equal(t, secretsPath, rep.SecretsFile)
		require.Equal(t, configPath, rep.ConfigFile)
		require.Equal(t, migrate.Counts{Moved: 7, AlreadyScoped: 1, Quarantined: 1}, rep.Counts)
		checkFixtureMigrated(t, want, migrate.Keep, secretsPath, configPath)
		cfg, err := thconfig.LoadOrCreateConfigWithDefaultPath()
		require.NoError(t, err)
		require.True(t, cfg.SecretScopeMigration, "ToolHive's default config path sees the flag")
	})

	t.Run("wrong password changes nothing", func(t *testing.T) {
		secretsPath, configPath := fixtureCopy(t)
		before := dirListing(t, filepath.Dir(secretsPath))
		sb, cb := readFile(t, secretsPath), readFile(t, configPath)
		out, errOut, code := runCLI(t, bin, []string{"TOOLHIVE_SECRETS_PASSWORD=wrong"},
			"migrate", "--secrets-file", secretsPath, "--config", configPath)
		require.Equal(t, 1, code)
		require.Empty(t, out)
		require.Equal(t, 1, strings.Count(strings.TrimSpace(errOut), "\n")+1, "one line: %q", errOut)
		require.True(t, strings.HasPrefix(errOut, "scopemig: "), errOut)
		require.Equal(t, before, dirListing(t, filepath.Dir(secretsPath)))
		require.Equal(t, sb, readFile(t, secretsPath))
		require.Equal(t, cb, readFile(t, configPath))
		// ToolHive still reads the untouched store.
		require.Equal(t, loadExpected(t, "contents-before.json").Raw, readViews(t, secretsPath, nil).Raw)
	})
}
