package fstest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTreeSeesContentModeAndEntries(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(f, []byte("a"), 0o600))
	before, err := Tree(dir)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(f, []byte("b"), 0o600))
	after, err := Tree(dir)
	require.NoError(t, err)
	require.NotEqual(t, before, after, "content")
	require.NoError(t, os.Chmod(f, 0o644))
	chmod, err := Tree(dir)
	require.NoError(t, err)
	require.NotEqual(t, after, chmod, "mode")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "g"), nil, 0o644))
	added, err := Tree(dir)
	require.NoError(t, err)
	require.NotEqual(t, chmod, added, "entry")
}
