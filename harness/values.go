package harness

import (
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// Values are generated from small integers so that rapid's logs (which print
// every draw) show the integer, never the value. Every non-empty value is at
// least 12 bytes long, so a plaintext scan of a crash image for it cannot
// match ciphertext by chance.
func valueOf(i int) string {
	switch i {
	case 0:
		return ""
	case 1:
		return "wert-ü-✓-unicode-1"
	case 2:
		return "has spaces and\nnewline-2"
	}
	return fmt.Sprintf("secret-value-%04d", i)
}

// scanable reports whether v is long enough to scan images for (I8).
func scanable(v string) bool { return len(v) >= 12 }

// describe prints a state as keys with value fingerprints.
func describe(s map[string]string) string {
	parts := make([]string, 0, len(s))
	for _, k := range slices.Sorted(maps.Keys(s)) {
		parts = append(parts, fmt.Sprintf("%q=%s", k, secrets.Fingerprint(s[k])))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func describeState(s model.State) string {
	return fmt.Sprintf("store %s migrated=%v, %s", describe(s.Secrets), s.Migrated, describeConfig(s.Config))
}

// simNonces returns the nonce source of one simulated process of the
// built-in encfile target: the same deterministic stream for every process
// (nonceStream). Reusing nonces across simulated processes only matters to
// an attacker holding several ciphertexts of one real key; the harness's
// stores are throwaway test data under TestPassword, and I8 still checks
// that no image holds a value in plaintext.
func simNonces() io.Reader { return new(nonceStream) }

// nonceStream is a deterministic byte stream: SplitMix64 outputs of a
// counter, little-endian. It is not a cryptographic generator (it need not
// be: see simNonces). The zero value starts the stream.
type nonceStream struct{ n uint64 }

func (s *nonceStream) Read(p []byte) (int, error) {
	var w [8]byte
	for i := 0; i < len(p); i += 8 {
		s.n++
		z := s.n * 0x9e3779b97f4a7c15
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		binary.LittleEndian.PutUint64(w[:], z^z>>31)
		copy(p[i:], w[:])
	}
	return len(p), nil
}
