package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/migrate"
)

// TestMigrateAcceptance is the end-to-end scenario on a real disk: the
// ToolHive v0.47.0 fixture is migrated by the command, then decrypted and
// compared with what ToolHive's own migration produced (plus the quarantine
// key under keep), the config gains the flag with every other field intact,
// and a second run is "already done" with zero writes.
func TestMigrateAcceptance(t *testing.T) {
	after := fixtureRaw(t, "expected-after-seed-migration.json")
	for _, tc := range []struct {
		policy string
		want   map[string]string
	}{
		{"drop", after},
		{"keep", func() map[string]string {
			m := maps.Clone(after)
			m["__thv_legacy_BEARER_TOKEN_conflict"] = "bare-value-older"
			return m
		}()},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			osfs := afero.NewOsFs()
			dir := install(t, osfs, t.TempDir())
			store, cfg := filepath.Join(dir, "secrets_encrypted"), filepath.Join(dir, "config.yaml")
			cfgBefore := yamlMap(t, osfs, cfg)
			env := testEnv(osfs, pwEnv())
			args := []string{"--secrets-file", store, "--config", cfg, "--on-conflict", tc.policy}

			out, errOut, code := run(t, newMigrateCmdEnv, env, args...)
			require.Equal(t, 0, code, errOut)
			require.Contains(t, out, "migrated (on-conflict="+tc.policy+"): 9 legacy keys: 7 moved, 1 already scoped")
			require.Contains(t, out, "BEARER_TOKEN_conflict")
			assertNoValues(t, out)

			require.Equal(t, tc.want, decrypt(t, osfs, store))
			cfgAfter := yamlMap(t, osfs, cfg)
			require.Equal(t, true, cfgAfter["secret_scope_migration"])
			delete(cfgAfter, "secret_scope_migration")
			require.Equal(t, cfgBefore, cfgAfter, "every other config field intact")

			fi, err := os.Stat(store)
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
			names, err := os.ReadDir(dir)
			require.NoError(t, err)
			// config, store, and ToolHive's two lock files (the store's,
			// taken by impl/encfile's writes, and the config's, taken by
			// impl/config's flag write; kept, see impl/fslock): no temp file.
			require.Len(t, names, 4, "no temp file left behind")
			_, err = os.Stat(store + ".lock")
			require.NoError(t, err)
			_, err = os.Stat(cfg + ".lock")
			require.NoError(t, err)

			// Second run: already done, zero writes; it only makes what it
			// found durable, the store first, then the flag (a run that set
			// the flag may have failed before its sync).
			before := snapshot(t, osfs, dir)
			cfs := faults.NewFS(osfs, nil) // counts every mutating operation
			out, errOut, code = run(t, newMigrateCmdEnv, testEnv(cfs.Fs(), pwEnv()), args...)
			require.Equal(t, 0, code, errOut)
			require.Contains(t, out, "already done")
			var synced []string
			for _, op := range cfs.Log() {
				require.Equal(t, faults.OpSync, op.Kind, "a write on a migrated store: %v", cfs.Log())
				synced = append(synced, op.Path)
			}
			require.Equal(t, []string{store, dir, cfg, dir}, synced)
			require.Equal(t, before, snapshot(t, osfs, dir))
			cfs = faults.NewFS(osfs, nil)

			// --force on a migrated store: nothing to move, still zero writes.
			out, errOut, code = run(t, newMigrateCmdEnv, testEnv(cfs.Fs(), pwEnv()), append(args, "--force", "--json")...)
			require.Equal(t, 0, code, errOut)
			var rep migrateReport
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			require.Equal(t, migrate.StatusMigrated, rep.Status)
			require.True(t, rep.Forced)
			require.Empty(t, rep.Steps)
			require.Zero(t, cfs.Ops(), "mutating operations: %v", cfs.Log())
			require.Equal(t, before, snapshot(t, osfs, dir))
		})
	}
}

// TestMigrateJSON checks the documented JSON report on an in-memory Fs,
// with the password from a 0600 file and a config that lacks the flag.
func TestMigrateJSON(t *testing.T) {
	fsys := afero.NewMemMapFs()
	dir := install(t, fsys, "/data/toolhive")
	require.NoError(t, afero.WriteFile(fsys, "/pw", []byte(fixturePassword+"\n"), 0o600))
	env := testEnv(fsys, map[string]string{"XDG_DATA_HOME": "/data", "XDG_CONFIG_HOME": "/data"})

	out, errOut, code := run(t, newMigrateCmdEnv, env, "--password-file", "/pw", "--json")
	require.Equal(t, 0, code, errOut)
	assertNoValues(t, out)
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	for _, field := range []string{"command", "status", "secrets_file", "config_file", "policy", "forced", "transactional", "steps", "counts"} {
		require.Contains(t, raw, field)
	}
	var rep migrateReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Equal(t, "migrate", rep.Command)
	require.Equal(t, migrate.StatusMigrated, rep.Status)
	require.Equal(t, filepath.Join(dir, "secrets_encrypted"), rep.SecretsFile)
	require.Equal(t, filepath.Join(dir, "config.yaml"), rep.ConfigFile)
	require.Equal(t, migrate.Keep, rep.Policy)
	require.True(t, rep.Transactional)
	require.Equal(t, migrate.Counts{Moved: 7, AlreadyScoped: 1, Quarantined: 1}, rep.Counts)
	require.Len(t, rep.Steps, 9)
	require.Equal(t, "BEARER_TOKEN_conflict", rep.Steps[0].Key)
	require.Equal(t, "__thv_legacy_BEARER_TOKEN_conflict", rep.Steps[0].Quarantine)

	out, errOut, code = run(t, newMigrateCmdEnv, env, "--password-file", "/pw", "--json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	require.Equal(t, "already-done", raw["status"])
	require.Equal(t, []any{}, raw["steps"], "steps is [] not null")
}

// TestMigrateFailuresChangeNothing: every invalid input fails with exit 1,
// one line on stderr naming the problem, and the directory byte-for-byte
// unchanged (no temp file) — for migrate and plan alike.
func TestMigrateFailuresChangeNothing(t *testing.T) {
	type setup func(t *testing.T, dir string)
	corrupt := func(name string, f func([]byte) []byte) setup {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, name)
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(p, f(b), 0o600))
		}
	}
	cases := []struct {
		name  string
		setup setup
		env   map[string]string
		extra []string
		want  string // substring of the error line
	}{
		{name: "wrong password", env: map[string]string{PasswordEnvVar: "wrong"}, want: "wrong password"},
		{name: "no password", env: map[string]string{}, want: PasswordEnvVar},
		{name: "truncated store", setup: corrupt("secrets_encrypted", func(b []byte) []byte { return b[:len(b)/2] }), want: "wrong password or corrupt"},
		{name: "store shorter than nonce", setup: corrupt("secrets_encrypted", func(b []byte) []byte { return b[:7] }), want: "truncated"},
		{name: "bit-flipped store", setup: corrupt("secrets_encrypted", func(b []byte) []byte { b[len(b)/2] ^= 0x10; return b }), want: "corrupt"},
		{name: "garbage config", setup: corrupt("config.yaml", func([]byte) []byte { return []byte("{{{ not: yaml: [") }), want: "invalid config"},
		{name: "config flag not a bool", setup: corrupt("config.yaml", func(b []byte) []byte { return append(b, "secret_scope_migration: maybe\n"...) }), want: "not a boolean"},
		{name: "missing store", setup: func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, "secrets_encrypted"))) }, want: "no secrets file"},
		{name: "password file readable by others", setup: func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "pw"), []byte(fixturePassword), 0o644))
		}, extra: []string{"--password-file", "pw"}, want: "chmod 600"},
		{name: "bad policy", extra: []string{"--on-conflict", "maybe"}, want: "keep or drop"},
	}
	for _, tc := range cases {
		for _, command := range []string{"migrate", "plan"} {
			t.Run(tc.name+"/"+command, func(t *testing.T) {
				osfs := afero.NewOsFs()
				dir := install(t, osfs, t.TempDir())
				if tc.setup != nil {
					tc.setup(t, dir)
				}
				before := snapshot(t, osfs, dir)
				vars := tc.env
				if vars == nil {
					vars = pwEnv()
				}
				args := []string{"--secrets-file", filepath.Join(dir, "secrets_encrypted"), "--config", filepath.Join(dir, "config.yaml")}
				for _, a := range tc.extra {
					if a == "pw" {
						a = filepath.Join(dir, "pw")
					}
					args = append(args, a)
				}
				newCmd := newMigrateCmdEnv
				if command == "plan" {
					newCmd = newPlanCmdEnv
				}
				out, errOut, code := run(t, newCmd, testEnv(osfs, vars), args...)
				require.Equal(t, 1, code)
				require.Empty(t, out)
				require.True(t, strings.HasPrefix(errOut, "scopemig: "), errOut)
				require.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
				require.Contains(t, errOut, tc.want)
				require.NotContains(t, errOut, fixturePassword)
				require.Equal(t, before, snapshot(t, osfs, dir), "not one byte written")
			})
		}
	}
}

// assertNoValues fails if any fixture secret value appears in out.
func assertNoValues(t *testing.T, out string) {
	t.Helper()
	for _, v := range fixtureRaw(t, "contents-before.json") {
		if v == string(migrate.AlreadyScoped) { // a value that is also an outcome name
			continue
		}
		require.NotContains(t, out, v)
	}
}
