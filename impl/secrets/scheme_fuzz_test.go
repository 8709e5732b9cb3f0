package secrets_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/secrets"
)

// FuzzParseKey checks that ParseKey, ScopedKey, LegacyScope and
// LegacyTarget agree on every key of the default scheme: a parsed key
// rebuilds to itself; a legacy key is never a system key and its target
// parses back to (scope, key) in a declared, non-quarantine scope and is
// not itself legacy (a migrated key never moves twice).
func FuzzParseKey(f *testing.F) {
	for _, k := range []string{
		"", "_", "__thv_", "__thv__x", "__thv_workloads_", "__thv_workloads_BEARER_TOKEN_a",
		"__thv_Work_x", "__thv_legacy_BEARER_TOKEN_a#2", "BEARER_TOKEN_", "REGISTRY_OAUTH_x",
		"registry-user-ghcr.io", "github-token", "__thv", "__THV_registry_x", "__thv_llm_a_b_c",
	} {
		f.Add(k)
	}
	s := secrets.DefaultScheme()
	f.Fuzz(func(t *testing.T, key string) {
		scope, name, ok := s.ParseKey(key)
		if ok {
			require.True(t, secrets.ValidScope(scope))
			require.True(t, s.IsSystem(key))
			require.Equal(t, key, s.ScopedKey(scope, name), "ParseKey/ScopedKey round trip")
		} else {
			require.Empty(t, scope)
			require.Empty(t, name)
		}
		ls, lok := s.LegacyScope(key)
		target, tok := s.LegacyTarget(key)
		require.Equal(t, lok, tok)
		if !lok {
			require.Empty(t, target)
			return
		}
		require.False(t, s.IsSystem(key), "system keys never match a legacy prefix")
		require.False(t, ok)
		require.True(t, s.HasScope(ls))
		require.NotEqual(t, s.Quarantine, ls)
		tscope, tname, pok := s.ParseKey(target)
		require.True(t, pok, "a legacy target is a well-formed scoped key")
		require.Equal(t, ls, tscope)
		require.Equal(t, key, tname, "the whole legacy key becomes the name")
		_, again := s.LegacyTarget(target)
		require.False(t, again, "a target is never legacy itself")
	})
}

// FuzzScopedKey checks ScopedKey/ParseKey in the other direction, and the
// quarantine slots: every slot parses into the quarantine scope, slots of
// distinct legacy keys or indices never coincide with the key's target.
func FuzzScopedKey(f *testing.F) {
	f.Add("workloads", "BEARER_TOKEN_x", 1)
	f.Add("registry", "", 2)
	f.Add("llm", "a_b", 0)
	f.Add("Bad", "x", 3)
	f.Add("", "x", -1)
	f.Add("a_b", "c", 1)
	s := secrets.DefaultScheme()
	f.Fuzz(func(t *testing.T, scope, name string, n int) {
		key := s.ScopedKey(scope, name)
		ps, pn, ok := s.ParseKey(key)
		if !secrets.ValidScope(scope) {
			if ok {
				// An invalid scope may still parse if it ends where a valid one
				// does ("a_b" + "c" = "a" + "b_c"): the key must still rebuild.
				require.Equal(t, key, s.ScopedKey(ps, pn))
				require.True(t, strings.Contains(scope, "_"))
			}
			return
		}
		require.True(t, ok)
		require.Equal(t, scope, ps)
		require.Equal(t, name, pn)

		q := s.QuarantineKey(name, n)
		qs, qn, qok := s.ParseKey(q)
		require.True(t, qok)
		require.Equal(t, s.Quarantine, qs)
		if !strings.Contains(name, "#") {
			require.True(t, strings.HasPrefix(qn, name), "the SPEC form for keys without #")
			if n <= 1 {
				require.Equal(t, name, qn)
			}
		}
		if n > 1 {
			require.NotEqual(t, s.QuarantineKey(name, 1), q)
		}
		if target, ok := s.LegacyTarget(name); ok {
			require.NotEqual(t, target, q, "a quarantine slot never equals a migration target")
		}
	})
}
