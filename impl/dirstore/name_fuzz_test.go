package dirstore

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzFileName checks the secret-name encoding: every name maps to a plain
// file name (the store's own shape, no separator, not "." or "..") directly
// inside the store directory; distinct names map to distinct files; and a
// sealed file opens only under its own name, giving the name and value back.
// It also feeds the second input to open as raw file content: it never
// panics and fails with ErrCorrupt or ErrDecrypt.
func FuzzFileName(f *testing.F) {
	for _, s := range [][2]string{
		{"a", "b"}, {"../x", "..\\x"}, {"/abs/path", "abs/path"}, {"x\x00y", "x"},
		{"Token", "token"}, {".", ".."}, {strings.Repeat("n", 300), ""}, {"\xff\xfe", "ü"},
		{"BEARER_TOKEN_a", "__thv_workloads_BEARER_TOKEN_a"},
	} {
		f.Add(s[0], s[1])
	}
	c, err := newCodec([]byte("correct horse battery staple"))
	require.NoError(f, err)
	const dir = "/data/toolhive/secrets.d"
	f.Fuzz(func(t *testing.T, a, b string) {
		base := c.fileName(a)
		require.True(t, isSecretFile(base))
		require.Equal(t, base, filepath.Base(base))
		require.NotContains(t, base, "/")
		require.NotContains(t, base, "\\")
		require.NotContains(t, []string{".", ".."}, base)
		require.Equal(t, dir, filepath.Dir(filepath.Join(dir, base)), "never escapes the directory")
		require.Equal(t, base, c.fileName(a), "deterministic")
		if a != b {
			require.NotEqual(t, base, c.fileName(b), "injective")
			require.NotEqual(t, strings.ToLower(base), strings.ToLower(c.fileName(b)), "no collision on a case-insensitive filesystem")
		}

		data, err := c.seal(base, a, b, bytes.NewReader(make([]byte, nonceSize)))
		require.NoError(t, err)
		name, value, err := c.open(base, data)
		require.NoError(t, err)
		require.Equal(t, a, name)
		require.Equal(t, b, value)
		if a != b {
			_, _, err = c.open(c.fileName(b), data)
			require.ErrorIs(t, err, ErrDecrypt, "a file renamed to another secret's name does not open")
		}

		_, _, err = c.open(base, []byte(b))
		require.Error(t, err)
		require.True(t, errors.Is(err, ErrCorrupt) || errors.Is(err, ErrDecrypt), "%v", err)
	})
}
