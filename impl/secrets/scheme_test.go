package secrets_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/secrets"
)

// TestSchemeValidate checks every rule of Scheme.Validate, and that the
// constructors that take a scheme refuse an invalid one.
func TestSchemeValidate(t *testing.T) {
	valid := func(edit func(*secrets.Scheme)) secrets.Scheme {
		s := secrets.DefaultScheme()
		edit(&s)
		return s
	}
	lm := func(prefix, scope string) secrets.LegacyMapping {
		return secrets.LegacyMapping{Prefix: prefix, Scope: scope}
	}
	cases := []struct {
		name   string
		scheme secrets.Scheme
		ok     bool
	}{
		{"zero value is the default scheme", secrets.Scheme{}, true},
		{"default scheme", secrets.DefaultScheme(), true},
		{"custom prefix", valid(func(s *secrets.Scheme) { s.Prefix = "__mine_" }), true},
		{"no legacy mappings", valid(func(s *secrets.Scheme) { s.Legacy = nil }), true},
		{"quarantine defaults to legacy", secrets.Scheme{Prefix: "__x_", Scopes: []string{"a"}, Legacy: []secrets.LegacyMapping{lm("OLD_", "a")}}, true},

		{"empty system prefix", secrets.Scheme{Scopes: []string{"a"}}, false},
		{"system prefix without trailing underscore", valid(func(s *secrets.Scheme) { s.Prefix = "__thv" }), false},
		{"scope with underscore", valid(func(s *secrets.Scheme) { s.Scopes = append(s.Scopes, "my_scope") }), false},
		{"scope with upper case", valid(func(s *secrets.Scheme) { s.Scopes = append(s.Scopes, "Auth2") }), false},
		{"empty scope", valid(func(s *secrets.Scheme) { s.Scopes = append(s.Scopes, "") }), false},
		{"scope with dash", valid(func(s *secrets.Scheme) { s.Scopes = append(s.Scopes, "my-scope") }), false},
		{"scope declared twice", valid(func(s *secrets.Scheme) { s.Scopes = append(s.Scopes, "auth") }), false},
		{"scope equal to the quarantine scope", valid(func(s *secrets.Scheme) { s.Scopes = append(s.Scopes, "legacy") }), false},
		{"invalid quarantine scope", valid(func(s *secrets.Scheme) { s.Quarantine = "leg_acy" }), false},
		{"empty legacy prefix", valid(func(s *secrets.Scheme) { s.Legacy = append(s.Legacy, lm("", "auth")) }), false},
		{"legacy prefix maps to undeclared scope", valid(func(s *secrets.Scheme) { s.Legacy = append(s.Legacy, lm("NEW_", "nope")) }), false},
		{"legacy prefix maps to the quarantine scope", valid(func(s *secrets.Scheme) { s.Legacy = append(s.Legacy, lm("NEW_", "legacy")) }), false},
		{"legacy prefix inside the system prefix", valid(func(s *secrets.Scheme) { s.Legacy = append(s.Legacy, lm("__thv_auth_", "auth")) }), false},
		{"legacy prefix equal to the system prefix", valid(func(s *secrets.Scheme) { s.Legacy = append(s.Legacy, lm("__thv_", "auth")) }), false},
		{"legacy prefix that is a prefix of the system prefix", valid(func(s *secrets.Scheme) { s.Legacy = append(s.Legacy, lm("__", "auth")) }), false},
		{"duplicate legacy prefix", valid(func(s *secrets.Scheme) { s.Legacy = append(s.Legacy, lm("BEARER_TOKEN_", "auth")) }), false},
		{"legacy prefix shadowed by an earlier one", valid(func(s *secrets.Scheme) { s.Legacy = append(s.Legacy, lm("BEARER_TOKEN_X", "auth")) }), false},
		{"legacy prefix overlapping an earlier longer one", valid(func(s *secrets.Scheme) { s.Legacy = append(s.Legacy, lm("BEARER_", "auth")) }), false},
		{"overlap even with the same scope", valid(func(s *secrets.Scheme) { s.Legacy = append(s.Legacy, lm("registry-", "workloads")) }), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.scheme.Validate()
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, secrets.ErrInvalidScheme)
			_, err = secrets.NewScopedProvider(secrets.NewMemory(nil), tc.scheme, "auth")
			require.ErrorIs(t, err, secrets.ErrInvalidScheme, "construction refuses an invalid scheme")
		})
	}
}

// TestSchemeKeys pins the key layout of the default scheme.
func TestSchemeKeys(t *testing.T) {
	s := secrets.Scheme{}
	require.Equal(t, "__thv_workloads_BEARER_TOKEN_x", s.ScopedKey("workloads", "BEARER_TOKEN_x"))
	scope, name, ok := s.ParseKey("__thv_workloads_BEARER_TOKEN_x")
	require.True(t, ok)
	require.Equal(t, []string{"workloads", "BEARER_TOKEN_x"}, []string{scope, name})
	for _, bad := range []string{"BEARER_TOKEN_x", "__thv_", "__thv_Work_x", "__thv_workloads", "__thv__x"} {
		_, _, ok := s.ParseKey(bad)
		require.False(t, ok, bad)
	}
	target, ok := s.LegacyTarget("REGISTRY_OAUTH_a1")
	require.True(t, ok)
	require.Equal(t, "__thv_registry_REGISTRY_OAUTH_a1", target)
	_, ok = s.LegacyTarget("__thv_workloads_BEARER_TOKEN_x")
	require.False(t, ok, "system keys never match")
	require.Equal(t, "__thv_legacy_BEARER_TOKEN_x", s.QuarantineKey("BEARER_TOKEN_x", 1))
	require.Equal(t, "__thv_legacy_BEARER_TOKEN_x#3", s.QuarantineKey("BEARER_TOKEN_x", 3))
}
