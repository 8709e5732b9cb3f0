package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/secrets"
)

// TestLegacyListRestoreDrop runs the legacy commands on a real directory
// holding the ToolHive fixture migrated under policy keep (its conflicting
// value quarantined): list shows it, restore puts it back and quarantines
// the scoped value it displaced, drop deletes a quarantine key; bad keys
// exit 1 with one line and write nothing.
func TestLegacyListRestoreDrop(t *testing.T) {
	osfs := afero.NewOsFs()
	dir := install(t, osfs, t.TempDir())
	store := filepath.Join(dir, "secrets_encrypted")
	args := []string{"--secrets-file", store}
	env := testEnv(osfs, pwEnv())
	_, errOut, code := run(t, newMigrateCmdEnv, env, "--secrets-file", store, "--config", filepath.Join(dir, "config.yaml"))
	require.Equal(t, 0, code, errOut)
	const q = "__thv_legacy_BEARER_TOKEN_conflict"
	const target = "__thv_workloads_BEARER_TOKEN_conflict"
	before := decrypt(t, osfs, store)
	require.Equal(t, "bare-value-older", before[q])
	require.Equal(t, "scoped-value-newer", before[target])

	// list (read-only, on a read-only view of the disk)
	treeBefore := tree(t, dir)
	out, errOut, code := run(t, newLegacyCmdEnv, testEnv(afero.NewReadOnlyFs(osfs), pwEnv()), append([]string{"list"}, args...)...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, q)
	require.Contains(t, out, "BEARER_TOKEN_conflict")
	require.Contains(t, out, "1 quarantined value;")
	assertNoValues(t, out)
	out, errOut, code = run(t, newLegacyCmdEnv, env, append([]string{"list", "--json"}, args...)...)
	require.Equal(t, 0, code, errOut)
	var list legacyListReport
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	require.Len(t, list.Entries, 1)
	e := list.Entries[0]
	require.Equal(t, q, e.Key)
	require.Equal(t, "BEARER_TOKEN_conflict", e.Original)
	require.Equal(t, 1, e.Slot)
	require.Equal(t, target, e.Target)
	require.True(t, strings.HasPrefix(e.Fingerprint, secrets.KeyedFingerprintPrefix), e.Fingerprint)
	require.NotEqual(t, e.Fingerprint, e.TargetFingerprint)
	require.NotEqual(t, secrets.Fingerprint("bare-value-older"), e.Fingerprint, "keyed: the unsalted fingerprint of a guess does not match")
	require.Equal(t, treeBefore, tree(t, dir), "list writes nothing")

	// Bad keys: exit 1, one line, nothing written.
	for _, bad := range [][]string{
		{"restore", "__thv_workloads_BEARER_TOKEN_conflict"},
		{"restore", "__thv_legacy_nope"},
		{"restore", q, "--as", "github-token-that-exists"},
		{"restore", q, "--as", "__thv_legacy_x"},
		{"drop", "user-key"},
		{"drop", "__thv_legacy_nope"},
	} {
		if bad[len(bad)-1] == "github-token-that-exists" {
			bad[len(bad)-1] = anyOtherKey(t, before, q)
		}
		_, errOut, code := run(t, newLegacyCmdEnv, env, append(bad, args...)...)
		require.Equal(t, 1, code, "%v", bad)
		require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
		require.Equal(t, treeBefore, tree(t, dir), "%v writes nothing", bad)
	}

	// restore: the values change places, nothing lost.
	out, errOut, code = run(t, newLegacyCmdEnv, env, append([]string{"restore", q}, args...)...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "restored "+q+" ")
	require.Contains(t, out, "now quarantined under "+q+"#2")
	assertNoValues(t, out)
	after := decrypt(t, osfs, store)
	require.Equal(t, "bare-value-older", after[target])
	require.Equal(t, "scoped-value-newer", after[q+"#2"])
	require.NotContains(t, after, q)
	require.Len(t, after, len(before))
	info, err := os.Stat(store)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	// restore --as, then drop.
	_, errOut, code = run(t, newLegacyCmdEnv, env, append([]string{"restore", q + "#2", "--as", "kept-newer"}, args...)...)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "scoped-value-newer", decrypt(t, osfs, store)["kept-newer"])
	_, errOut, code = run(t, newLegacyCmdEnv, env, append([]string{"restore", q}, args...)...)
	require.Equal(t, 1, code, "already restored: not found")
	require.Contains(t, errOut, "not found")

	m := decrypt(t, osfs, store)
	m["__thv_legacy_OAUTH_CLIENT_SECRET_x##2"] = "planted"
	sealPlain(t, store, mustJSON(t, map[string]any{"secrets": m}))
	out, errOut, code = run(t, newLegacyCmdEnv, env, append([]string{"list"}, args...)...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "OAUTH_CLIENT_SECRET_x#2")
	out, errOut, code = run(t, newLegacyCmdEnv, env, append([]string{"drop", "__thv_legacy_OAUTH_CLIENT_SECRET_x##2", "--json"}, args...)...)
	require.Equal(t, 0, code, errOut)
	var drop legacyDropReport
	require.NoError(t, json.Unmarshal([]byte(out), &drop))
	require.Equal(t, "OAUTH_CLIENT_SECRET_x#2", drop.Dropped.Original)
	require.NotContains(t, decrypt(t, osfs, store), "__thv_legacy_OAUTH_CLIENT_SECRET_x##2")
	out, _, code = run(t, newLegacyCmdEnv, env, append([]string{"list"}, args...)...)
	require.Equal(t, 0, code)
	require.Contains(t, out, "no quarantined values")
}

// anyOtherKey returns a key of m other than not whose value differs from
// m[not].
func anyOtherKey(t *testing.T, m map[string]string, not string) string {
	t.Helper()
	for k, v := range m {
		if k != not && v != m[not] && !strings.HasPrefix(k, "__thv_legacy_") {
			return k
		}
	}
	t.Fatal("no other key")
	return ""
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// TestLegacyDropWaitsForToolHiveLock: restore and drop take the same locks
// as migrate (the store directory, then ToolHive's sidecar lock file), so
// while ToolHive holds secrets_encrypted.lock they announce the wait and
// give up after --lock-timeout with nothing written; list only reads and
// does not wait for the sidecar lock.
func TestLegacyDropWaitsForToolHiveLock(t *testing.T) {
	osfs := afero.NewOsFs()
	dir := install(t, osfs, t.TempDir())
	store := filepath.Join(dir, "secrets_encrypted")
	_, errOut, code := run(t, newMigrateCmdEnv, testEnv(osfs, pwEnv()), "--secrets-file", store, "--config", filepath.Join(dir, "config.yaml"))
	require.Equal(t, 0, code, errOut)
	release := startLockHolder(t, store+".lock")
	before := tree(t, dir)
	const q = "__thv_legacy_BEARER_TOKEN_conflict"
	for _, args := range [][]string{{"drop", q}, {"restore", q}} {
		out, errOut, code := runAll(t, newLegacyCmdEnv, testEnv(osfs, pwEnv()), append(args, "--secrets-file", store, "--lock-timeout", "1200ms")...)
		require.Equal(t, 1, code, "%v", args)
		require.Empty(t, out)
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		require.Len(t, lines, 2, errOut)
		require.Equal(t, "scopemig: waiting for the lock file "+store+".lock (held by another process; --lock-timeout 1.2s)", lines[0])
		require.Contains(t, lines[1], "timed out waiting for a lock held by another process")
		require.Equal(t, before, tree(t, dir), "%v: nothing written", args)
	}
	out, errOut, code := runAll(t, newLegacyCmdEnv, testEnv(osfs, pwEnv()), "list", "--secrets-file", store, "--lock-timeout", "1200ms")
	require.Equal(t, 0, code, errOut)
	require.Empty(t, errOut)
	require.Contains(t, out, q)
	require.NoError(t, release.Close())
	_, errOut, code = runAll(t, newLegacyCmdEnv, testEnv(osfs, pwEnv()), "drop", q, "--secrets-file", store)
	require.Equal(t, 0, code, errOut)
	require.NotContains(t, decrypt(t, osfs, store), q)
}
