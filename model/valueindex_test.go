package model

import (
	"bytes"
	"fmt"
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

// Through CheckHygiene, a store of more values than indexFrom (the
// indexed scan) reports exactly the values a file holds.
func TestCheckHygieneManyValues(t *testing.T) {
	vals := Values{}
	for i := range indexFrom + 8 {
		vals.Add(fmt.Sprintf("KEY_%02d", i), fmt.Sprintf("secret-value-%02d", i))
	}
	data := []byte("xx secret-value-03 yy secret-value-39")
	got := CheckHygiene([]ImageFile{{Path: "f", Perm: 0o600, DirPerm: 0o700, Data: data}}, HygieneRule{}, vals)
	require.Len(t, got, 2)
	require.Contains(t, got[0].Detail, `"KEY_03"`)
	require.Contains(t, got[1].Detail, `"KEY_39"`)
}
