package encfile_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
)

func gcmOpen(t *testing.T, key [32]byte, data []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key[:])
	require.NoError(t, err)
	g, err := cipher.NewGCM(block)
	require.NoError(t, err)
	plain, err := g.Open(nil, data[:12], data[12:], nil)
	require.NoError(t, err)
	return plain
}

func TestFixtureDecode(t *testing.T) {
	key := encfile.KeyFromPassword(password)
	require.Equal(t, sha256.Sum256(password), key)

	got, err := encfile.Decode(key, fixtureFile(t))
	require.NoError(t, err)
	require.Equal(t, fixtureRaw(t), got)
}

// TestPlaintextByteCompatible checks that Encode produces exactly the
// plaintext ToolHive v0.47.0 wrote into the fixture.
func TestPlaintextByteCompatible(t *testing.T) {
	key := encfile.KeyFromPassword(password)
	want := gcmOpen(t, key, fixtureFile(t))
	enc, err := encfile.Encode(key, fixtureRaw(t), zeroReader{})
	require.NoError(t, err)
	require.Equal(t, want, gcmOpen(t, key, enc))
	require.Len(t, enc, len(want)+encfile.Overhead)
	require.Equal(t, make([]byte, encfile.NonceSize), enc[:encfile.NonceSize], "nonce comes from the reader")
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	key := encfile.KeyFromPassword([]byte("pw"))
	for _, m := range []map[string]string{
		nil,
		{},
		{"a": "1", "<html>&": "ü\u2028", "": "empty name from a foreign writer", "x": ""},
	} {
		enc, err := encfile.Encode(key, m, nil)
		require.NoError(t, err)
		got, err := encfile.Decode(key, enc)
		require.NoError(t, err)
		require.NotNil(t, got)
		require.Equal(t, len(m), len(got))
		for k, v := range m {
			require.Equal(t, v, got[k])
		}
	}
	a, err := encfile.Encode(key, map[string]string{"a": "1"}, nil)
	require.NoError(t, err)
	b, err := encfile.Encode(key, map[string]string{"a": "1"}, nil)
	require.NoError(t, err)
	require.NotEqual(t, a, b, "fresh nonce per encryption")
}

func TestDecodeErrors(t *testing.T) {
	key := encfile.KeyFromPassword(password)
	good := fixtureFile(t)

	_, err := encfile.Decode(encfile.KeyFromPassword([]byte("wrong")), good)
	require.ErrorIs(t, err, encfile.ErrDecrypt)
	require.Contains(t, err.Error(), "wrong password or corrupt store")

	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x01
	_, err = encfile.Decode(key, flipped)
	require.ErrorIs(t, err, encfile.ErrDecrypt)

	_, err = encfile.Decode(key, good[:len(good)-1])
	require.ErrorIs(t, err, encfile.ErrDecrypt, "a cut tag does not authenticate")
	for _, n := range []int{0, 1, encfile.Overhead - 1} {
		_, err = encfile.Decode(key, good[:n])
		require.ErrorIs(t, err, encfile.ErrTruncated, "%d bytes", n)
	}

	// Authentic ciphertext of something that is not the JSON document.
	for _, plain := range []string{"not json", `{"secrets":{"a":1}}`, `[]`} {
		block, err := aes.NewCipher(key[:])
		require.NoError(t, err)
		g, err := cipher.NewGCM(block)
		require.NoError(t, err)
		nonce := make([]byte, 12)
		_, err = encfile.Decode(key, g.Seal(nonce, nonce, []byte(plain), nil))
		require.ErrorIs(t, err, encfile.ErrCorrupt, plain)
	}

	_, err = encfile.Encode(key, map[string]string{"big": strings.Repeat("x", encfile.MaxPlaintext)}, nil)
	require.ErrorIs(t, err, encfile.ErrTooLarge)
}

func sealRaw(t *testing.T, key [32]byte, plain string) []byte {
	t.Helper()
	block, err := aes.NewCipher(key[:])
	require.NoError(t, err)
	g, err := cipher.NewGCM(block)
	require.NoError(t, err)
	nonce := make([]byte, 12)
	return g.Seal(nonce, nonce, []byte(plain), nil)
}
