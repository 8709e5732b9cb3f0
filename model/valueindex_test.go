package model

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The one-pass value search finds exactly what bytes.Contains finds for
// each value: values sharing prefixes, overlapping, at both ends, cut off
// by the end, in random bytes.
func TestValueIndexEqualsContains(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	alpha := []byte("abAB\x00\xff")
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(b)
	}
	edge := []string{"abcdefgh", "abcdefghi", "bcdefghX"}
	for _, data := range []string{"abcdefgh", "xxabcdefgh", "abcdefghi", "xabcdefg", "", "bcdefghX"} {
		got := newValueIndex(edge).search([]byte(data))
		for _, v := range edge {
			require.Equal(t, bytes.Contains([]byte(data), []byte(v)), got[v], "%q in %q", v, data)
		}
	}
	for range 300 {
		var vals []string
		for range 1 + rng.IntN(20) {
			vals = append(vals, word(MinScanLen+rng.IntN(6)))
		}
		data := []byte(word(rng.IntN(200)))
		for range rng.IntN(4) { // plant some values, some cut off
			v := vals[rng.IntN(len(vals))]
			at := rng.IntN(len(data) + 1)
			data = append(data[:at:at], append([]byte(v[:len(v)-rng.IntN(2)]), data[at:]...)...)
		}
		got := newValueIndex(vals).search(data)
		for _, v := range vals {
			require.Equal(t, bytes.Contains(data, []byte(v)), got[v], "%q in %q", v, data)
		}
		require.LessOrEqual(t, len(got), len(vals))
	}
}
