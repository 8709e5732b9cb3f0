package encfile_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
)

// futureDoc is a store document as a later ToolHive might write it: extra
// top-level members before and after the secrets.
const futureDoc = `{"version":3,"secrets":{"a":"1","BEARER_TOKEN_x":"2"},"meta":{"created":"2027-01-01","tags":["x",null,1.5e3]}}`

func sealDoc(t *testing.T, path, plain string) {
	t.Helper()
	key := encfile.KeyFromPassword(password)
	block, err := aes.NewCipher(key[:])
	require.NoError(t, err)
	g, err := cipher.NewGCM(block)
	require.NoError(t, err)
	nonce := make([]byte, encfile.NonceSize)
	require.NoError(t, os.WriteFile(path, g.Seal(nonce, nonce, []byte(plain), nil), 0o600))
}

// TestUnknownMembersSurviveEveryWrite: the store's unknown top-level
// members survive every kind of rewrite unchanged, on a
// real directory.
func TestUnknownMembersSurviveEveryWrite(t *testing.T) {
	ctx := context.Background()
	writes := map[string]func(*encfile.Store) error{
		"set":         func(s *encfile.Store) error { return s.SetSecret(ctx, "b", "3") },
		"delete":      func(s *encfile.Store) error { return s.DeleteSecret(ctx, "a") },
		"delete-many": func(s *encfile.Store) error { return s.DeleteSecrets(ctx, []string{"a", "zz"}) },
		"cleanup":     func(s *encfile.Store) error { return s.Cleanup() },
		"update": func(s *encfile.Store) error {
			return s.Update(ctx, func(m map[string]string) error { m["c"] = "4"; return nil })
		},
		"set-then-more": func(s *encfile.Store) error { _ = s.SetSecret(ctx, "b", "3"); return s.SetSecret(ctx, "b", "5") },
	}
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "secrets_encrypted")
			sealDoc(t, path, futureDoc)
			st, err := encfile.Open(afero.NewOsFs(), path, password)
			require.NoError(t, err)
			require.NoError(t, write(st))
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			doc, err := encfile.DecodeDocument(encfile.KeyFromPassword(password), data)
			require.NoError(t, err)
			require.Equal(t, 1, doc.SecretsAt, "the secrets stay where they were")
			require.Len(t, doc.Others, 2)
			require.Equal(t, "version", doc.Others[0].Name)
			require.JSONEq(t, `3`, string(doc.Others[0].Value))
			require.Equal(t, "meta", doc.Others[1].Name)
			require.Equal(t, `{"created":"2027-01-01","tags":["x",null,1.5e3]}`, string(doc.Others[1].Value), "verbatim")
			// A plain JSON reader (ToolHive's) still reads the secrets.
			plainDoc, err := encfile.Decode(encfile.KeyFromPassword(password), data)
			require.NoError(t, err)
			require.Equal(t, doc.Secrets, plainDoc)
		})
	}
}

// TestDocumentLayout pins the written bytes of a document with others.
func TestDocumentLayout(t *testing.T) {
	key := encfile.KeyFromPassword(password)
	for _, tc := range []struct {
		doc  encfile.Document
		want string
	}{
		{encfile.Document{Secrets: map[string]string{"a": "1"}}, `{"secrets":{"a":"1"}}`},
		{encfile.Document{Secrets: map[string]string{}, Others: []encfile.Member{{Name: "v", Value: json.RawMessage(`1`)}}}, `{"secrets":{},"v":1}`},
		{encfile.Document{Secrets: map[string]string{}, Others: []encfile.Member{{Name: "v", Value: json.RawMessage(`1`)}}, SecretsAt: 1}, `{"v":1,"secrets":{}}`},
		{encfile.Document{Secrets: map[string]string{"k": "<"}, Others: []encfile.Member{{Name: "a", Value: json.RawMessage(`[]`)}, {Name: "b", Value: json.RawMessage(`{}`)}}, SecretsAt: 1}, `{"a":[],"secrets":{"k":"\u003c"},"b":{}}`},
	} {
		enc, err := encfile.EncodeDocument(key, tc.doc, nil)
		require.NoError(t, err)
		block, err := aes.NewCipher(key[:])
		require.NoError(t, err)
		g, err := cipher.NewGCM(block)
		require.NoError(t, err)
		plain, err := g.Open(nil, enc[:encfile.NonceSize], enc[encfile.NonceSize:], nil)
		require.NoError(t, err)
		require.Equal(t, tc.want, string(plain))
	}
	_, err := encfile.EncodeDocument(key, encfile.Document{Others: []encfile.Member{{Name: "SECRETS", Value: json.RawMessage(`{}`)}}}, nil)
	require.ErrorIs(t, err, encfile.ErrCorrupt, "a member named like the secrets would shadow them")
	_, err = encfile.EncodeDocument(key, encfile.Document{Others: []encfile.Member{{Name: "x", Value: json.RawMessage(`{`)}}}, nil)
	require.ErrorIs(t, err, encfile.ErrCorrupt)
}
