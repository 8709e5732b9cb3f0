package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/atomicfile"
)

// xdgHome is a real XDG layout with the fixture at ToolHive's default
// paths, plus a copy of the store elsewhere. It returns the environment
// variables, the default store and config, and the copy.
func xdgHome(t *testing.T) (vars map[string]string, store, cfg, copyStore string) {
	t.Helper()
	osfs := afero.NewOsFs()
	root := t.TempDir()
	data, conf := filepath.Join(root, "data"), filepath.Join(root, "config")
	install(t, osfs, filepath.Join(data, "toolhive"))
	require.NoError(t, os.Rename(filepath.Join(data, "toolhive", "config.yaml"), filepath.Join(root, "config.yaml")))
	require.NoError(t, os.MkdirAll(filepath.Join(conf, "toolhive"), 0o700))
	require.NoError(t, os.Rename(filepath.Join(root, "config.yaml"), filepath.Join(conf, "toolhive", "config.yaml")))
	copyDir := install(t, osfs, filepath.Join(root, "copy"))
	require.NoError(t, os.Remove(filepath.Join(copyDir, "config.yaml")))
	vars = pwEnv()
	vars["XDG_DATA_HOME"], vars["XDG_CONFIG_HOME"] = data, conf
	return vars, filepath.Join(data, defaultSecretsRel), filepath.Join(conf, defaultConfigRel), filepath.Join(copyDir, "secrets_encrypted")
}

// migrate --secrets-file on a copy, without --config, would set the flag
// in the user's real config: it is refused with nothing written anywhere.
// --no-flag migrates the copy's data only; --config names the copy's own
// config; the default store named explicitly needs neither.
func TestMigrateCopyNeedsConfig(t *testing.T) {
	osfs := afero.NewOsFs()
	vars, store, cfg, copyStore := xdgHome(t)
	root := filepath.Dir(filepath.Dir(filepath.Dir(store)))
	before := tree(t, root)

	out, errOut, code := run(t, newMigrateCmdEnv, testEnv(osfs, vars), "--secrets-file", copyStore)
	require.Equal(t, 1, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "pass --config")
	require.Contains(t, errOut, "--no-flag")
	require.Equal(t, before, tree(t, root), "not one byte written, in the copy or the real config")

	_, errOut, code = run(t, newMigrateCmdEnv, testEnv(osfs, vars), "--secrets-file", copyStore, "--no-flag", "--config", cfg)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "exclude each other")
	require.Equal(t, before, tree(t, root))

	out, errOut, code = run(t, newMigrateCmdEnv, testEnv(osfs, vars), "--secrets-file", copyStore, "--no-flag", "--json")
	require.Equal(t, 0, code, errOut)
	var rep map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Equal(t, "migrated", rep["status"])
	require.Equal(t, false, rep["flag_set"])
	require.Equal(t, "", rep["config_file"])
	require.NotContains(t, decrypt(t, osfs, copyStore), "BEARER_TOKEN_fetch", "the copy's data migrated")
	after := tree(t, root)
	for p, e := range before {
		if filepath.Dir(filepath.Join(root, p)) != filepath.Dir(copyStore) {
			require.Equal(t, e, after[p], "only the copy's directory changed: %s", p)
		}
	}

	// The default store, named explicitly, keeps the default config.
	out, errOut, code = run(t, newMigrateCmdEnv, testEnv(osfs, vars), "--secrets-file", store)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "flag set in "+cfg)
	require.Equal(t, true, yamlMap(t, osfs, cfg)["secret_scope_migration"])
}

// failWritesTo fails every write to one file with an errno: a full disk
// (ENOSPC) for that file only.
type failWritesTo struct {
	path  string
	errno syscall.Errno
}

func (f failWritesTo) Inject(op faults.Op) faults.Action {
	if op.Kind == faults.OpWrite && op.Path == f.path {
		return faults.Action{Kind: faults.Fail, Errno: f.errno}
	}
	return faults.Action{}
}

func (f failWritesTo) String() string { return "fail-writes(" + f.path + ")" }

// A flag write that fails after the store was migrated (the disk filled
// up: ENOSPC on the config's temp file, which no preflight can foresee)
// says exactly that: exit 1, "store migrated, flag not set, re-running is
// safe", and --json prints status "store-migrated-flag-not-set"; the
// config is untouched and re-running (disk freed) sets the flag.
func TestMigrateFlagWriteFailsHonestly(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		mem := faults.NewMemFS()
		dir := install(t, mem, "/home/u/toolhive")
		store, cfg := filepath.Join(dir, "secrets_encrypted"), filepath.Join(dir, "config.yaml")
		cfgBefore, err := afero.ReadFile(mem, cfg)
		require.NoError(t, err)
		full := faults.NewFS(mem, failWritesTo{path: atomicfile.TempName(cfg), errno: syscall.ENOSPC})
		args := []string{"--secrets-file", store, "--config", cfg}
		if asJSON {
			args = append(args, "--json")
		}
		out, errOut, code := run(t, newMigrateCmdEnv, testEnv(full, pwEnv()), args...)
		require.Equal(t, 1, code)
		require.Contains(t, errOut, "store migrated, flag not set, re-running is safe")
		require.Contains(t, errOut, "no space left on device")
		if asJSON {
			var rep map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			require.Equal(t, "store-migrated-flag-not-set", rep["status"])
			require.Equal(t, false, rep["flag_set"])
			require.NotEmpty(t, rep["steps"])
		} else {
			require.Contains(t, out, "store migrated (on-conflict=keep)")
			require.Contains(t, out, "flag NOT set in "+cfg+" (re-running is safe)")
		}
		cfgAfter, err := afero.ReadFile(mem, cfg)
		require.NoError(t, err)
		require.Equal(t, cfgBefore, cfgAfter, "the config is untouched")
		_, err = mem.Stat(atomicfile.TempName(cfg))
		require.ErrorIs(t, err, os.ErrNotExist, "no temp file left")
		after := decrypt(t, mem, store)
		require.NotContains(t, after, "BEARER_TOKEN_fetch", "the store is migrated")
		require.Contains(t, after, "__thv_workloads_BEARER_TOKEN_fetch")

		out, errOut, code = run(t, newMigrateCmdEnv, testEnv(mem, pwEnv()), "--secrets-file", store, "--config", cfg)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, "0 legacy keys")
		require.Equal(t, true, yamlMap(t, mem, cfg)["secret_scope_migration"])
	}
}
