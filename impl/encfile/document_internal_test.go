package encfile

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzOnlySecrets: the fast path of parseOthers agrees with the slow one
// (json.Decoder over every top-level member): whenever onlySecrets says a
// valid document has no member but the secrets, the slow path finds no
// other member either.
func FuzzOnlySecrets(f *testing.F) {
	for _, s := range []string{
		`{"secrets":{}}`, ` { "secrets" : {"a":"}\\"{"} } `, `{"secrets":{},"x":1}`, `{"x":1,"secrets":{}}`,
		`{"secrets":null}`, `{"secrets":{"a":"]"}, "b":[1,{"c":"}"}]}`, `{"Secrets":{}}`, `null`, `[]`,
		`{"secrets":{},"secrets":{"a":"1"}}`, `{"secr\u0065ts":{}}`, `{"secrets":1e3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, plain []byte) {
		var doc fileStructure
		if json.Unmarshal(plain, &doc) != nil {
			return // parseOthers only sees documents that parse
		}
		if !onlySecrets(plain) {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(plain))
		tok, err := dec.Token()
		require.NoError(t, err)
		require.Equal(t, json.Delim('{'), tok)
		n := 0
		for dec.More() {
			name, err := dec.Token()
			require.NoError(t, err)
			require.Equal(t, "secrets", name)
			var raw json.RawMessage
			require.NoError(t, dec.Decode(&raw))
			n++
		}
		require.Equal(t, 1, n)
	})
}
