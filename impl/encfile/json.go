package encfile

import (
	"slices"
	"unicode/utf8"
)

// appendDocument appends the JSON document {"secrets":{...}} of secrets
// to dst, byte for byte as encoding/json.Marshal(fileStructure{secrets})
// renders it (ToolHive's format) for a non-nil map: keys sorted bytewise,
// strings escaped with HTML escaping, invalid UTF-8 as \ufffd. keys is
// scratch space for the sorted keys; the grown scratch is returned for
// reuse. TestAppendDocument and FuzzAppendDocument check the equivalence
// with encoding/json; it avoids Marshal's reflection (an allocation per
// map entry).
//
// Kept because it measurably matters (2026-12-01, 2 shared cores at load
// ~20, A/B runs interleaved): with json.Marshal in its place, `scopemig
// bench --n 1000,10000 --reps 3 --kills 10 --explore 3s --gogc 400` gave
// 0.945x the explorer's crash states per CPU-second (median of 12 paired
// rows, 0.89-1.11), and a benchmark of appendDocument alone took 2.0x the
// time at 10,000 keys (26-37 ms vs 13-19 ms, 20,002 allocations vs 0) and
// 2-10x at 10 keys.
func appendDocument(dst []byte, secrets map[string]string, keys []string) ([]byte, []string) {
	dst = append(dst, '{')
	dst, keys = appendSecretsMember(dst, secrets, keys)
	return append(dst, '}'), keys
}

// appendSecretsMember appends the member "secrets":{...} of appendDocument.
func appendSecretsMember(dst []byte, secrets map[string]string, keys []string) ([]byte, []string) {
	keys = keys[:0]
	for k := range secrets {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, `"secrets":{`...)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendJSONString(dst, secrets[k])
	}
	dst = append(dst, '}')
	clear(keys) // keep no references to the map's strings
	return dst, keys[:0]
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string exactly as encoding/json
// does with HTML escaping on (Marshal's default).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if htmlSafe(b) {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default: // other control bytes, and <, >, &
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' { // escaped for JSONP, as encoding/json does
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// htmlSafe reports whether the ASCII byte b is written as is: printable,
// and not ", \, <, > or &.
func htmlSafe(b byte) bool {
	return b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
}
