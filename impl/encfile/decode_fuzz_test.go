package encfile_test

import (
	"bytes"
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

// requireDocumentContract checks the forward-compatibility promise (issue
// 12 item 12): DecodeDocument accepts exactly what Decode accepts, with the
// same secrets, and whatever other top-level members the file holds
// survive a re-encoding unchanged (same names, same bytes, same order, the
// secrets in the same place), which decodes to the same document again.
func requireDocumentContract(t *testing.T, data []byte, secrets map[string]string, decodeErr error) {
	t.Helper()
	doc, err := encfile.DecodeDocument(fuzzKey, data)
	if decodeErr != nil {
		require.Error(t, err)
		return
	}
	require.NoError(t, err)
	require.Equal(t, secrets, doc.Secrets)
	enc, err := encfile.EncodeDocument(fuzzKey, doc, nil)
	require.NoError(t, err)
	again, err := encfile.DecodeDocument(fuzzKey, enc)
	require.NoError(t, err)
	require.Equal(t, doc.Secrets, again.Secrets)
	require.Equal(t, len(doc.Others), len(again.Others))
	for i := range doc.Others {
		require.Equal(t, doc.Others[i].Name, again.Others[i].Name)
		require.Equal(t, string(doc.Others[i].Value), string(again.Others[i].Value), "member values are kept verbatim")
	}
	if len(doc.Others) > 0 {
		require.Equal(t, doc.SecretsAt, again.SecretsAt)
	} else {
		plain, err := encfile.Encode(fuzzKey, doc.Secrets, bytes.NewReader(enc[:encfile.NonceSize]))
		require.NoError(t, err)
		require.Equal(t, plain, enc, "without other members the file is ToolHive's format byte for byte")
	}
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
		requireDocumentContract(t, data, got, err)
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
	f.Add([]byte(`{"version":2,"secrets":{"a":"1"},"meta":{"x":[true,null]}}`))
	f.Add([]byte(`{"Secrets":{"a":"1"},"secrets":{"b":"2"},"other":"x"}`))
	f.Add([]byte(`{"only":"other"}`))
	f.Fuzz(func(t *testing.T, plain []byte) {
		nonce := make([]byte, encfile.NonceSize)
		data := aead.Seal(nonce, nonce, plain, nil)
		got, err := encfile.Decode(fuzzKey, data)
		requireDecodeContract(t, got, err)
		if err != nil {
			require.ErrorIs(t, err, encfile.ErrCorrupt, "authentic data can only be corrupt JSON")
		}
		requireDocumentContract(t, data, got, err)
	})
}
