package encfile_test

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
)

// fuzzKey is the key every fuzz target decodes with (the fixture password).
var fuzzKey = encfile.KeyFromPassword(password)

// requireDecodeContract checks what Decode promises for any input: either
// a non-nil map whose re-encoding decodes to the same map, or an error
// wrapping exactly one of the codec's sentinels.
func requireDecodeContract(t *testing.T, got map[string]string, err error) {
	t.Helper()
	if err != nil {
		require.Nil(t, got)
		require.True(t,
			errors.Is(err, encfile.ErrTruncated) || errors.Is(err, encfile.ErrTooLarge) ||
				errors.Is(err, encfile.ErrDecrypt) || errors.Is(err, encfile.ErrCorrupt),
			"Decode error wraps no sentinel: %v", err)
		return
	}
	require.NotNil(t, got)
	enc, err := encfile.Encode(fuzzKey, got, nil)
	require.NoError(t, err, "a decoded store must re-encode")
	again, err := encfile.Decode(fuzzKey, enc)
	require.NoError(t, err)
	require.Equal(t, got, again, "valid encodings round-trip")
}

// FuzzDecode feeds arbitrary file bytes to Decode: it never panics and
// fails only with its sentinels. Seeds (testdata/fuzz/FuzzDecode) include
// the ToolHive fixture, so mutations explore near-valid files too.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{})
	f.Add(make([]byte, encfile.Overhead-1))
	f.Add(make([]byte, encfile.Overhead))
	f.Add(fixtureFile(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := encfile.Decode(fuzzKey, data)
		requireDecodeContract(t, got, err)
	})
}

// FuzzDecodePlaintext seals arbitrary plaintext under the right key, so
// the JSON layer is reached on every input (GCM would reject almost every
// mutated ciphertext): Decode never panics, rejects non-documents with
// ErrCorrupt, and whatever it accepts round-trips through Encode.
func FuzzDecodePlaintext(f *testing.F) {
	f.Add([]byte(`{"secrets":{}}`))
	f.Add([]byte(`{"secrets":{"a":"1","__thv_workloads_x":"2"}}`))
	f.Add([]byte(`{"secrets":null}`))
	f.Add([]byte(`{"secrets":{"a":"\ud800","a":"dup"}}`))
	f.Add([]byte(`{"secrets":{"a":1}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"secrets":{"\u0000":"\u2028"},"other":[1,2]}`))
	block, err := aes.NewCipher(fuzzKey[:])
	require.NoError(f, err)
	aead, err := cipher.NewGCM(block)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, plain []byte) {
		nonce := make([]byte, encfile.NonceSize)
		data := aead.Seal(nonce, nonce, plain, nil)
		got, err := encfile.Decode(fuzzKey, data)
		requireDecodeContract(t, got, err)
		if err != nil {
			require.ErrorIs(t, err, encfile.ErrCorrupt, "authentic data can only be corrupt JSON")
		}
	})
}
