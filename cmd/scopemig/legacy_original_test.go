package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
)

// TestFingerprintsSameInEveryCommand: on a real directory, the fingerprint
// of the conflicting legacy value is the same in plan, migrate (which
// quarantines it), and two runs of legacy list; the same content under
// another password gives another fingerprint; and no output holds the
// unkeyed SHA-256 prefix of any value (issue 21 item 9: the key is derived
// from the store's secret, not drawn per run).
func TestFingerprintsSameInEveryCommand(t *testing.T) {
	osfs := afero.NewOsFs()
	dir := install(t, osfs, t.TempDir())
	store := filepath.Join(dir, "secrets_encrypted")
	env := testEnv(osfs, pwEnv())
	stores := []string{"--secrets-file", store}
	var outputs []string
	jsonOf := func(newCmd func(cliEnv) *cobra.Command, env cliEnv, v any, args ...string) {
		t.Helper()
		out, errOut, code := run(t, newCmd, env, append(args, "--json")...)
		require.Equal(t, 0, code, errOut)
		outputs = append(outputs, out)
		require.NoError(t, json.Unmarshal([]byte(out), v))
	}
	withConfig := append(stores, "--config", filepath.Join(dir, "config.yaml"))
	var plan planReport
	jsonOf(newPlanCmdEnv, env, &plan, withConfig...)
	var mig migrateReport
	jsonOf(newMigrateCmdEnv, env, &mig, withConfig...)
	conflict := func(steps []migrate.Step) string {
		for _, s := range steps {
			if s.Key == "BEARER_TOKEN_conflict" {
				return s.Fingerprint
			}
		}
		t.Fatal("no conflict step")
		return ""
	}
	want := conflict(plan.Steps)
	require.Equal(t, want, conflict(mig.Steps), "plan and migrate")
	for range 2 {
		var list legacyListReport
		jsonOf(newLegacyCmdEnv, env, &list, append([]string{"list"}, stores...)...)
		require.Len(t, list.Entries, 1)
		require.Equal(t, want, list.Entries[0].Fingerprint, "legacy list, every run")
	}

	// The same content under another password: other fingerprints.
	const otherPassword = "another store, another password"
	content := decrypt(t, osfs, store)
	data, err := encfile.Encode(encfile.KeyFromPassword([]byte(otherPassword)), content, nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(store, data, 0o600))
	var other legacyListReport
	jsonOf(newLegacyCmdEnv, testEnv(osfs, map[string]string{PasswordEnvVar: otherPassword}), &other, append([]string{"list"}, stores...)...)
	require.Len(t, other.Entries, 1)
	require.Equal(t, content["__thv_legacy_BEARER_TOKEN_conflict"], "bare-value-older")
	require.NotEqual(t, want, other.Entries[0].Fingerprint, "the key follows the store's password")

	for _, out := range outputs {
		require.Contains(t, out, "hmac:")
		for _, v := range content {
			sum := sha256.Sum256([]byte(v))
			require.NotContains(t, out, hex.EncodeToString(sum[:6]), "no unkeyed SHA-256 of a value")
		}
	}
}

// TestLegacyRestoreDropByOriginalKey: the ORIGINAL key legacy list shows is
// accepted by restore and drop when one slot holds its value (the output
// names the slot); with two slots both commands exit 1 with one line
// listing the slots (fingerprints, never values) and write nothing
// (issue 21 item 9).
func TestLegacyRestoreDropByOriginalKey(t *testing.T) {
	osfs := afero.NewOsFs()
	dir := install(t, osfs, t.TempDir())
	store := filepath.Join(dir, "secrets_encrypted")
	env := testEnv(osfs, pwEnv())
	_, errOut, code := run(t, newMigrateCmdEnv, env, "--secrets-file", store, "--config", filepath.Join(dir, "config.yaml"))
	require.Equal(t, 0, code, errOut)
	const q, orig = "__thv_legacy_BEARER_TOKEN_conflict", "BEARER_TOKEN_conflict"

	out, errOut, code := run(t, newLegacyCmdEnv, env, "restore", orig, "--secrets-file", store)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "restored "+q+" (hmac:")
	require.Contains(t, out, "; slot 1 of "+orig+", its only quarantined value) to __thv_workloads_"+orig)
	require.Contains(t, out, "now quarantined under "+q+"#2")
	m := decrypt(t, osfs, store)
	require.Equal(t, "bare-value-older", m["__thv_workloads_"+orig])
	require.NotContains(t, m, q)

	// Two slots: ambiguous.
	m[q] = "a third value"
	sealPlain(t, store, mustJSON(t, map[string]any{"secrets": m}))
	before := tree(t, dir)
	for _, cmd := range []string{"restore", "drop"} {
		out, errOut, code := run(t, newLegacyCmdEnv, env, cmd, orig, "--secrets-file", store)
		require.Equal(t, 1, code, cmd)
		require.Empty(t, out)
		require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
		require.Contains(t, errOut, `several quarantined values of "`+orig+`", 2 slots: "`+q+`" (slot 1, hmac:`)
		require.Contains(t, errOut, `"`+q+`#2" (slot 2, hmac:`)
		require.Contains(t, errOut, "name the one you mean")
		require.NotContains(t, errOut, "a third value")
		assertNoValues(t, errOut)
		require.Equal(t, before, tree(t, dir), "%s: nothing written", cmd)
	}

	// Naming a slot works; then the original key has one slot again.
	_, errOut, code = run(t, newLegacyCmdEnv, env, "drop", q, "--secrets-file", store)
	require.Equal(t, 0, code, errOut)
	out, errOut, code = run(t, newLegacyCmdEnv, env, "drop", orig, "--secrets-file", store)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "dropped "+q+"#2 (hmac:")
	require.Contains(t, out, "; slot 2 of "+orig+", its only quarantined value)")
	_, errOut, code = run(t, newLegacyCmdEnv, env, "drop", orig, "--secrets-file", store)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "not a quarantine key")
}
