package secrets_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/secrets"
)

func TestQuarantineKeyUnambiguous(t *testing.T) {
	var s secrets.Scheme
	// The SPEC form for keys without '#'.
	require.Equal(t, "__thv_legacy_K", s.QuarantineKey("K", 1))
	require.Equal(t, "__thv_legacy_K#2", s.QuarantineKey("K", 2))
	// Slot 2 of "K" and slot 1 of "K#2" used to be the
	// same key.
	require.NotEqual(t, s.QuarantineKey("K", 2), s.QuarantineKey("K#2", 1))
	require.Equal(t, "__thv_legacy_K##2", s.QuarantineKey("K#2", 1))
	require.Equal(t, "__thv_legacy_K###3", s.QuarantineKey("K#", 3))
	for _, tc := range []struct {
		q    string
		k    string
		n    int
		okay bool
	}{
		{"__thv_legacy_K", "K", 1, true},
		{"__thv_legacy_K#2", "K", 2, true},
		{"__thv_legacy_K##2", "K#2", 1, true},
		{"__thv_legacy_K###3", "K#", 3, true},
		{"__thv_legacy_K#10", "K", 10, true},
		{"__thv_legacy_##", "#", 1, true},
		{"__thv_legacy_K#1", "", 0, false},  // slot 1 has no suffix
		{"__thv_legacy_K#02", "", 0, false}, // leading zero
		{"__thv_legacy_K#", "", 0, false},
		{"__thv_legacy_K#x", "", 0, false},
		{"__thv_legacy_K#2#3", "", 0, false},
		{"__thv_legacy_#2", "", 0, false}, // empty original key
		{"__thv_legacy_", "", 0, false},
		{"__thv_workloads_K", "", 0, false},
		{"K", "", 0, false},
	} {
		k, n, ok := s.ParseQuarantineKey(tc.q)
		require.Equal(t, tc.okay, ok, tc.q)
		if ok {
			require.Equal(t, tc.k, k, tc.q)
			require.Equal(t, tc.n, n, tc.q)
			require.Equal(t, tc.q, s.QuarantineKey(k, n))
		}
	}
}

// FuzzQuarantineKey: QuarantineKey and ParseQuarantineKey are inverse
// bijections between (non-empty key, slot >= 1) and the keys Parse accepts,
// whatever characters the key holds.
func FuzzQuarantineKey(f *testing.F) {
	f.Add("K", 2, "__thv_legacy_K#2")
	f.Add("K#2", 1, "__thv_legacy_K##2")
	f.Add("BEARER_TOKEN_a#b##c", 7, "__thv_legacy_a#9")
	f.Add("#", 1, "__thv_legacy_###")
	f.Fuzz(func(t *testing.T, k string, n int, q string) {
		var s secrets.Scheme
		if k != "" {
			got := s.QuarantineKey(k, n)
			pk, pn, ok := s.ParseQuarantineKey(got)
			require.True(t, ok, "%q slot %d -> %q", k, n, got)
			require.Equal(t, k, pk)
			require.Equal(t, max(n, 1), pn)
			scope, _, ok := s.ParseKey(got)
			require.True(t, ok)
			require.Equal(t, secrets.ScopeLegacy, scope)
		}
		if pk, pn, ok := s.ParseQuarantineKey(q); ok {
			require.NotEmpty(t, pk)
			require.GreaterOrEqual(t, pn, 1)
			require.Equal(t, q, s.QuarantineKey(pk, pn), "a parsed key rebuilds exactly (no two inputs share a key)")
		}
	})
}
