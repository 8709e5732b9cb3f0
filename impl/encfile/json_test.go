package encfile

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// appendDocument renders exactly what encoding/json renders for
// ToolHive's document, for every name and value (escapes, HTML, control
// bytes, U+2028/9, invalid UTF-8, empty strings).
func TestAppendDocument(t *testing.T) {
	cases := []map[string]string{
		{},
		{"": ""},
		{"a": "1", "B": "2", "_": "3", "ä": "4", "a\x00": "nul", "a ": "sp"},
		{"k": "quote\" back\\ slash/ <html> & \b\f\n\r\t \x01\x1f \x7f"},
		{"line\u2028sep": "para\u2029sep", "ok\u2027": "\u202a"},
		{"bad\xffutf8": "\xc3\x28 \xed\xa0\x80 \xf0\x28\x8c\x28", "trunc": "\xe2\x82"},
		{"emoji 🔑": "wert-ü-✓-unicode-1", "has spaces": "has spaces and\nnewline-2"},
	}
	var keys []string
	for _, m := range cases {
		want, err := json.Marshal(fileStructure{Secrets: m})
		require.NoError(t, err)
		var got []byte
		got, keys = appendDocument([]byte("prefix"), m, keys)
		require.Equal(t, "prefix"+string(want), string(got))
	}
}

func FuzzAppendDocument(f *testing.F) {
	f.Add("name", "value", "k2", "v2")
	f.Add("<>&", "\u2028\x00\xff", "", "\"\\")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		m := map[string]string{k1: v1, k2: v2}
		want, err := json.Marshal(fileStructure{Secrets: m})
		require.NoError(t, err)
		got, _ := appendDocument(nil, m, nil)
		require.Equal(t, string(want), string(got))
	})
}
