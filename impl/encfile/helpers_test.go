package encfile_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/internal/fstest"
)

var ctx = context.Background()

var password = []byte("correct horse battery staple")

const fixtureDir = "../../testdata/toolhive-v0.47.0"

func fixtureFile(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, "secrets_encrypted"))
	require.NoError(t, err)
	return b
}

func fixtureRaw(t testing.TB) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, "contents-before.json"))
	require.NoError(t, err)
	var doc struct {
		Raw map[string]string `json:"raw"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	require.NotEmpty(t, doc.Raw)
	return doc.Raw
}

// treeSnapshot maps every path under root to its mode and content.
func treeSnapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	tree, err := fstest.Tree(root)
	require.NoError(t, err)
	return tree
}

// zeroReader is a deterministic nonce source.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
