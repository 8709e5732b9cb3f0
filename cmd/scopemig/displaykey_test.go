package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
)

// TestDisplayKeyQuotesLookAlikes: keys that would not read as themselves
// are quoted (issue 21 item 10): leading or trailing spaces, an empty key,
// a leading double quote, control characters; plain keys, inner spaces
// and non-ASCII letters are printed as they are.
func TestDisplayKeyQuotesLookAlikes(t *testing.T) {
	for k, want := range map[string]string{
		"BEARER_TOKEN_":        "BEARER_TOKEN_",
		"BEARER_TOKEN_ ":       `"BEARER_TOKEN_ "`,
		" BEARER_TOKEN_x":      `" BEARER_TOKEN_x"`,
		"BEARER_TOKEN_x\u00a0": `"BEARER_TOKEN_x\u00a0"`,
		"a b":                  "a b",
		"":                     `""`,
		`"quoted"`:             `"\"quoted\""`,
		"a\x1b[31mb":           `"a\x1b[31mb"`,
	} {
		require.Equal(t, want, displayKey(k), "%q", k)
	}
}

// TestPlanTellsTrailingSpaceKeysApart: plan's table on a real store holding
// BEARER_TOKEN_ and "BEARER_TOKEN_ " shows two different rows, the second
// quoted (key, target and quarantine key), not two identical-looking ones.
func TestPlanTellsTrailingSpaceKeysApart(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "secrets_encrypted")
	m := map[string]string{
		"BEARER_TOKEN_":                  "one",
		"BEARER_TOKEN_ ":                 "two",
		"__thv_workloads_BEARER_TOKEN_ ": "scoped differs",
	}
	data, err := encfile.Encode(encfile.KeyFromPassword([]byte(fixturePassword)), m, nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(store, data, 0o600))
	out, errOut, code := run(t, newPlanCmdEnv, testEnv(afero.NewOsFs(), pwEnv()), "--secrets-file", store, "--config", filepath.Join(dir, "config.yaml"))
	require.Equal(t, 0, code, errOut)
	rows := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, rows, 4, out) // header, two steps, summary
	require.True(t, strings.HasPrefix(rows[1], "BEARER_TOKEN_ "), rows[1])
	require.True(t, strings.HasPrefix(rows[2], `"BEARER_TOKEN_ "`), rows[2])
	require.Contains(t, rows[2], `"__thv_workloads_BEARER_TOKEN_ "`)
	require.Contains(t, rows[2], `conflict-quarantined -> "__thv_legacy_BEARER_TOKEN_ "`)
	require.NotEqual(t, strings.Fields(rows[1])[0], strings.Fields(rows[2])[0])
}
