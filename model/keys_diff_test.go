package model

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/impl/secrets"
)

// The model's key scheme (keys.go) is written apart from impl/secrets on
// purpose; this test, the only place that imports both, checks that the
// two agree on every key: the harness compares real stores, written
// through impl/secrets, with the model.

// keyPrefixes are the starts of drawn keys: the real ones and near misses
// (case, a missing or doubled "_", a leading space, a scope outside
// [a-z0-9]).
var keyPrefixes = []string{
	"", "__thv_", "__thv", "_thv_", "__THV_", "__thv__", " __thv_",
	"__thv_legacy_", "__thv_workloads_", "__thv_registry_", "__thv_llm_", "__thv_auth_",
	"__thv_Workloads_", "__thv_llm-x_", "__thv_é_", "__thv_l3g4cy_", "__thv_legacy",
	"BEARER_TOKEN_", "OAUTH_CLIENT_SECRET_", "OAUTH_REFRESH_TOKEN_", "registry-user-",
	"registry-default-", "BUILD_AUTH_FILE_", "REGISTRY_OAUTH_",
	"BEARER_TOKEN", "bearer_token_", " BEARER_TOKEN_", "OAUTH_CLIENT_SECRET", "registry-user",
	"REGISTRY-OAUTH_", "REGISTRY_OAUTH", "BUILD_AUTH_FILE-", "__thv_legacy_BEARER_TOKEN_",
}

// keyRunes are the characters of the rest of a key: separators of both
// schemes, path pieces and non-ASCII.
var keyRunes = []rune{'a', 'Z', '0', '9', '_', '-', '#', '/', '.', ' ', 'é', 'к', '✓', '\x00'}

// keySuffixes end drawn keys: quarantine slot forms, valid and not, and
// path escapes.
var keySuffixes = []string{"", "#", "#2", "##2", "#02", "#1", "#10", "###3", "/..", "../x", "/"}

func drawKey(t *rapid.T, label string) string {
	return rapid.SampledFrom(keyPrefixes).Draw(t, label+"-prefix") +
		rapid.StringOf(rapid.SampledFrom(keyRunes)).Draw(t, label+"-body") +
		rapid.SampledFrom(keySuffixes).Draw(t, label+"-suffix")
}

// keysAgree fails t unless the model and impl/secrets's default scheme
// read key, and quarantine slot n of it, the same way.
func keysAgree(t require.TestingT, key string, n int) {
	sch := secrets.DefaultScheme()
	require.Equal(t, sch.IsSystem(key), isSystem(key), "IsSystem(%q)", key)

	ws, wn, wok := sch.ParseKey(key)
	gs, gn, gok := parseScoped(key)
	require.Equal(t, []any{ws, wn, wok}, []any{gs, gn, gok}, "ParseKey(%q)", key)

	wscope, wok := sch.LegacyScope(key)
	gscope, gok := legacyScope(key)
	require.Equal(t, []any{wscope, wok}, []any{gscope, gok}, "LegacyScope(%q)", key)
	wt, wok := sch.LegacyTarget(key)
	gt, gok := legacyTarget(key)
	require.Equal(t, []any{wt, wok}, []any{gt, gok}, "LegacyTarget(%q)", key)

	q := quarantineKey(key, n)
	require.Equal(t, sch.QuarantineKey(key, n), q, "QuarantineKey(%q, %d)", key, n)
	if key != "" {
		k, slot, ok := sch.ParseQuarantineKey(q)
		require.True(t, ok, "ParseQuarantineKey(%q)", q)
		require.Equal(t, []any{key, max(n, 1)}, []any{k, slot}, "ParseQuarantineKey(%q)", q)
	}
	for _, scope := range append(sch.Scopes, sch.Quarantine) {
		require.Equal(t, sch.ScopedKey(scope, key), scopedKey(scope, key))
	}
	require.Equal(t, secrets.Fingerprint(key), fingerprint(key), "Fingerprint(%q)", key)
}

func TestKeySchemeAgreesWithImpl(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		keysAgree(t, drawKey(t, "key"), rapid.IntRange(0, 12).Draw(t, "slot"))
	})
}

// Every prefix and suffix on its own and together, and the scheme's
// constants, whatever rapid draws.
func TestKeySchemeAgreesOnNearMisses(t *testing.T) {
	sch := secrets.DefaultScheme()
	require.Equal(t, sch.Prefix, SystemPrefix)
	require.Equal(t, sch.Quarantine, QuarantineScope)
	for _, m := range sch.Legacy {
		scope, ok := legacyScope(m.Prefix + "x")
		require.True(t, ok, m.Prefix)
		require.Equal(t, m.Scope, scope, m.Prefix)
	}
	for _, p := range keyPrefixes {
		for _, s := range keySuffixes {
			for _, mid := range []string{"", "x", "x_y", "K#2", "..", "ü/ß"} {
				for n := range 4 {
					keysAgree(t, p+mid+s, n)
				}
			}
		}
	}
}
