package model_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/model"
)

// fixturePassword is the ToolHive fixture's password (SPEC §7).
const fixturePassword = "correct horse battery staple"

// decryptFixture reads the secrets ToolHive v0.47.0 itself wrote, with
// the standard library only (nonce | AES-256-GCM of {"secrets":{...}},
// key SHA-256 of the password): nothing of impl/ is between the model and
// ToolHive's bytes.
func decryptFixture(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "toolhive-v0.47.0", "secrets_encrypted"))
	require.NoError(t, err)
	key := sha256.Sum256([]byte(fixturePassword))
	block, err := aes.NewCipher(key[:])
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	require.Greater(t, len(data), gcm.NonceSize())
	plain, err := gcm.Open(nil, data[:gcm.NonceSize()], data[gcm.NonceSize():], nil)
	require.NoError(t, err)
	var doc struct {
		Secrets map[string]string `json:"secrets"`
	}
	require.NoError(t, json.Unmarshal(plain, &doc))
	return doc.Secrets
}

// The model, on the store ToolHive wrote, predicts what ToolHive's own
// migration produced (policy drop) and what every view of it reads; under
// keep it differs only by the quarantined loser. It also reads the store
// before the migration as ToolHive does.
func TestModelOnToolHiveStore(t *testing.T) {
	raw := decryptFixture(t)
	before := loadView(t, "contents-before.json")
	after := loadView(t, "expected-after-seed-migration.json")
	require.Equal(t, before.Raw, raw, "the fixture's bytes hold what contents-before.json lists")

	s0 := model.State{Secrets: raw}
	require.Equal(t, before.User, model.User(s0))
	for scope, names := range before.Scoped {
		require.Equal(t, names, model.Model{}.ScopedList(s0, scope), scope)
	}
	var moved []string
	for _, mv := range model.Legacy(s0) {
		moved = append(moved, mv.Key)
		require.Equal(t, "__thv_"+mv.Scope+"_"+mv.Key, mv.Target)
	}
	wantMoved := slices.Sorted(maps.Keys(before.Raw))
	wantMoved = slices.DeleteFunc(wantMoved, func(k string) bool { _, kept := after.Raw[k]; return kept })
	require.Equal(t, wantMoved, moved, "the legacy keys are exactly those ToolHive's migration removed")

	dropped := model.Migrate(s0, model.Drop)
	require.Equal(t, after.Raw, dropped.Secrets)
	require.Equal(t, after.User, model.User(dropped))
	for scope, names := range after.Scoped {
		require.Equal(t, names, model.Model{}.ScopedList(dropped, scope), scope)
	}

	kept := model.Migrate(s0, model.Keep)
	want := maps.Clone(after.Raw)
	want[model.SystemPrefix+model.QuarantineScope+"_BEARER_TOKEN_conflict"] = "bare-value-older"
	require.Equal(t, want, kept.Secrets)
	require.Empty(t, model.Model{}.CheckAll(s0, kept, model.Keep))
}
