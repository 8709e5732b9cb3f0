package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
)

// TestMigrateOverLimitNamesTheResultSize: plan on this store runs
// migrate's checks, so it no longer shows a plan that migrate then
// refuses: its table is followed by "migrate would refuse:" with the
// message migrate gives and what to do (--json: migrate_refusals), exit 0,
// nothing written. And a store within ToolHive's 32 MiB
// plaintext limit whose migration would grow past it (every moved key gains
// its "__thv_workloads_" prefix) fails with exit 1, a message naming the
// size of the migrated result (not the file's), and not one byte written.
func TestMigrateOverLimitNamesTheResultSize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 32 MiB store")
	}
	dir := t.TempDir()
	store, data := overLimitStore(t, dir)
	before := tree(t, dir)
	osfs := afero.NewOsFs()
	args := []string{"--secrets-file", store, "--config", filepath.Join(dir, "config.yaml")}
	size := fmt.Sprintf("the new content would be %d bytes of plaintext, above the limit of %d (32 MiB) of ToolHive's format (the store file now holds %d bytes)",
		encfile.MaxPlaintext-50+10*len("__thv_workloads_"), encfile.MaxPlaintext, len(data))

	// One plan run (32 MiB to decrypt and rehearse): --json, and its text
	// rendering from the same report.
	out, errOut, code := run(t, newPlanCmdEnv, testEnv(osfs, pwEnv()), append(args, "--json")...)
	require.Equal(t, 0, code, errOut)
	var rep planReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.MigrateRefusals, 1)
	require.Contains(t, rep.MigrateRefusals[0], size)
	require.Len(t, rep.Steps, 10, "the table is shown all the same")
	require.Equal(t, before, tree(t, dir), "plan writes nothing")
	var text bytes.Buffer
	require.NoError(t, writePlanText(&text, rep))
	require.Contains(t, text.String(), "10 to move")
	require.True(t, strings.HasPrefix(lastLine(text.String()), "migrate would refuse: apply (transaction): encfile "+store+": "+size), lastLine(text.String()))
	require.Contains(t, lastLine(text.String()), "delete the secrets you no longer need")

	_, errOut, code = run(t, newMigrateCmdEnv, testEnv(osfs, pwEnv()), args...)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, size)
	want := fmt.Sprintf("the new content would be %d bytes of plaintext", encfile.MaxPlaintext-50+10*len("__thv_workloads_"))
	require.Contains(t, errOut, want)
	require.Contains(t, errOut, fmt.Sprintf("the store file now holds %d bytes", len(data)))
	require.Contains(t, errOut, "nothing written")
	require.Equal(t, 1, strings.Count(errOut, "\n"))
	after := tree(t, dir)
	// The write took ToolHive's sidecar lock, which creates the empty lock
	// file every writer shares and nobody removes (impl/fslock doc): no
	// data byte was written.
	require.Equal(t, int64(0), after["secrets_encrypted.lock"].Size)
	delete(after, "secrets_encrypted.lock")
	require.Equal(t, before, after, "not one byte of data written")
}

// overLimitStore writes, in dir, a store within ToolHive's 32 MiB
// plaintext limit whose migration grows past it (ten moved keys gain
// their "__thv_workloads_" prefix), and returns its path and bytes.
func overLimitStore(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	store := filepath.Join(dir, "secrets_encrypted")
	m := map[string]string{"big": ""}
	for i := range 10 {
		m[fmt.Sprintf("BEARER_TOKEN_%d", i)] = "v"
	}
	doc, err := json.Marshal(map[string]any{"secrets": m})
	require.NoError(t, err)
	m["big"] = strings.Repeat("x", encfile.MaxPlaintext-50-len(doc))
	data, err := encfile.Encode(encfile.KeyFromPassword([]byte(fixturePassword)), m, nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(store, data, 0o600))
	return store, data
}

// TestPlanRefusesNothingOnTheFixture: on the fixture store, whose
// migration migrate runs, plan's migrate_refusals is [] (the over-limit
// store's refusal is in TestMigrateOverLimitNamesTheResultSize).
func TestPlanRefusesNothingOnTheFixture(t *testing.T) {
	osfs := afero.NewOsFs()
	ok := install(t, osfs, t.TempDir())
	out, errOut, code := run(t, newPlanCmdEnv, testEnv(osfs, pwEnv()), "--secrets-file", filepath.Join(ok, "secrets_encrypted"), "--config", filepath.Join(ok, "config.yaml"), "--json")
	require.Equal(t, 0, code, errOut)
	var rep planReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Equal(t, []string{}, rep.MigrateRefusals)
	require.Len(t, rep.Steps, 9)
}

// TestMigrateMessagesTellWhatWasWritten: on a real directory, the first
// migrate reports the flag written; --force on the migrated store does
// not claim "flag set" (nothing is written); the already-done JSON says
// "transactional": true, as docs/cli.md documents for the encrypted file
// store.
func TestMigrateMessagesTellWhatWasWritten(t *testing.T) {
	osfs := afero.NewOsFs()
	dir := install(t, osfs, t.TempDir())
	env := testEnv(osfs, pwEnv())
	args := []string{"--secrets-file", filepath.Join(dir, "secrets_encrypted"), "--config", filepath.Join(dir, "config.yaml")}
	report := func(extra ...string) migrateReport {
		t.Helper()
		out, errOut, code := run(t, newMigrateCmdEnv, env, append(append(args, "--json"), extra...)...)
		require.Equal(t, 0, code, errOut)
		var rep migrateReport
		require.NoError(t, json.Unmarshal([]byte(out), &rep))
		return rep
	}
	first := report()
	require.True(t, first.FlagWritten)
	require.True(t, first.Transactional)

	done := report()
	require.Equal(t, "already-done", string(done.Status))
	require.True(t, done.Transactional, "the encrypted file store is always transactional")
	require.False(t, done.FlagWritten)

	before := tree(t, dir)
	out, errOut, code := run(t, newMigrateCmdEnv, env, append(args, "--force")...)
	require.Equal(t, 0, code, errOut)
	require.NotContains(t, out, "flag set")
	require.Contains(t, out, "not rewritten")
	require.Contains(t, out, "store not rewritten")
	require.Equal(t, before, tree(t, dir), "--force on a migrated store writes nothing")
	forced := report("--force")
	require.True(t, forced.Forced)
	require.False(t, forced.FlagWritten)
}
