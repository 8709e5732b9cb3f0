package interop

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
)

// TestUnknownTopLevelMembersSurvive: a store file holding top-level
// members ToolHive v0.47.0 does not know (as a later ToolHive might add)
// is written by hand, sealed exactly as ToolHive seals (AES-256-GCM under
// SHA-256 of the password). ToolHive reads it; scopemig migrates it (both
// policies); afterwards every unknown member is still there, verbatim and
// in place, ToolHive's own code still reads the file, and every view equals
// that of ToolHive's own migration of the same file (which, decoding into
// its struct, drops the members: the reason scopemig must not).
func TestUnknownTopLevelMembersSurvive(t *testing.T) {
	fixture := readViews(t, filepath.Join(fixtureDir, secretsName), nil).Raw
	secretsJSON, err := json.Marshal(fixture)
	require.NoError(t, err)
	plain := `{"format":2,"secrets":` + string(secretsJSON) + `,"x-future":{"keys":["a","b"],"n":1.50}}`

	for _, policy := range []migrate.Policy{migrate.Drop, migrate.Keep} {
		t.Run(policy.String(), func(t *testing.T) {
			dir := t.TempDir()
			secretsPath, configPath := filepath.Join(dir, secretsName), filepath.Join(dir, configName)
			block, err := aes.NewCipher(thKey())
			require.NoError(t, err)
			g, err := cipher.NewGCM(block)
			require.NoError(t, err)
			nonce := make([]byte, encfile.NonceSize)
			require.NoError(t, os.WriteFile(secretsPath, g.Seal(nonce, nonce, []byte(plain), nil), 0o600))
			copyFile(t, filepath.Join(fixtureDir, configName), configPath)
			require.Equal(t, fixture, readViews(t, secretsPath, nil).Raw, "ToolHive reads the hand-written file")

			// ToolHive's own migration of a copy: the reference views.
			toolDir := t.TempDir()
			toolSecrets, toolConfig := filepath.Join(toolDir, secretsName), filepath.Join(toolDir, configName)
			copyFile(t, secretsPath, toolSecrets)
			copyFile(t, configPath, toolConfig)
			toolhiveMigrate(t, toolSecrets, toolConfig)

			rep := scopemigMigrate(t, secretsPath, configPath, policy)
			require.Equal(t, migrate.StatusMigrated, rep.Status)

			data, err := os.ReadFile(secretsPath)
			require.NoError(t, err)
			var key [32]byte
			copy(key[:], thKey())
			doc, err := encfile.DecodeDocument(key, data)
			require.NoError(t, err)
			require.Equal(t, []encfile.Member{
				{Name: "format", Value: json.RawMessage(`2`)},
				{Name: "x-future", Value: json.RawMessage(`{"keys":["a","b"],"n":1.50}`)},
			}, doc.Others, "unknown members survive verbatim")
			require.Equal(t, 1, doc.SecretsAt)

			probes := probeNames(fixture)
			got, want := readViews(t, secretsPath, probes), readViews(t, toolSecrets, probes)
			if policy == migrate.Drop {
				require.Equal(t, want, got, "ToolHive reads scopemig's result exactly as its own")
			} else {
				require.Equal(t, want.User, got.User)
				for k, v := range want.Raw {
					require.Equal(t, v, got.Raw[k], k)
				}
			}
		})
	}
}
