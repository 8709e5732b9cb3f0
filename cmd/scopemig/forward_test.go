package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
)

// TestMigrateKeepsUnknownTopLevelMembers: `scopemig migrate`, then
// `legacy restore` and `legacy drop`, on a real directory whose store holds
// top-level members beyond "secrets": every rewrite keeps them verbatim
// and in place.
func TestMigrateKeepsUnknownTopLevelMembers(t *testing.T) {
	osfs := afero.NewOsFs()
	dir := install(t, osfs, t.TempDir())
	store := filepath.Join(dir, "secrets_encrypted")
	secretsJSON, err := json.Marshal(fixtureRaw(t, "contents-before.json"))
	require.NoError(t, err)
	sealPlain(t, store, []byte(`{"v":[1, 2],"secrets":`+string(secretsJSON)+`,"later":{"a":null}}`))
	check := func(what string) {
		t.Helper()
		data, err := os.ReadFile(store)
		require.NoError(t, err)
		doc, err := encfile.DecodeDocument(encfile.KeyFromPassword([]byte(fixturePassword)), data)
		require.NoError(t, err)
		require.Equal(t, []encfile.Member{{Name: "v", Value: json.RawMessage(`[1, 2]`)}, {Name: "later", Value: json.RawMessage(`{"a":null}`)}}, doc.Others, what)
		require.Equal(t, 1, doc.SecretsAt, what)
	}
	env := testEnv(osfs, pwEnv())
	_, errOut, code := run(t, newMigrateCmdEnv, env, "--secrets-file", store, "--config", filepath.Join(dir, "config.yaml"))
	require.Equal(t, 0, code, errOut)
	check("after migrate")
	_, errOut, code = run(t, newLegacyCmdEnv, env, "restore", "__thv_legacy_BEARER_TOKEN_conflict", "--secrets-file", store)
	require.Equal(t, 0, code, errOut)
	check("after legacy restore")
	_, errOut, code = run(t, newLegacyCmdEnv, env, "drop", "__thv_legacy_BEARER_TOKEN_conflict#2", "--secrets-file", store)
	require.Equal(t, 0, code, errOut)
	check("after legacy drop")
}
