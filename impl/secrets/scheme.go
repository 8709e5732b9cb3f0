package secrets

import (
	"fmt"
	"strconv"
	"strings"
)

// Built-in scopes of the default scheme.
const (
	ScopeRegistry  = "registry"
	ScopeWorkloads = "workloads"
	ScopeAuth      = "auth"
	ScopeLLM       = "llm"
	// ScopeLegacy is the quarantine scope: values that lost a migration
	// conflict are kept under __thv_legacy_<key>.
	ScopeLegacy = "legacy"
	// DefaultPrefix is ToolHive's system prefix.
	DefaultPrefix = "__thv_"
)

// LegacyMapping maps keys that start with Prefix to Scope.
type LegacyMapping struct {
	Prefix string `json:"prefix"`
	Scope  string `json:"scope"`
}

// Scheme describes how keys are split into scopes. The zero value is the
// ToolHive-compatible default scheme (DefaultScheme).
type Scheme struct {
	// Prefix marks system keys (default "__thv_").
	Prefix string
	// Scopes are the scopes a caller may open, in order.
	Scopes []string
	// Legacy is the ordered list of legacy mappings; the first match wins.
	Legacy []LegacyMapping
	// Quarantine is the scope that holds conflict losers (default "legacy").
	Quarantine string
}

// DefaultScheme returns ToolHive's scheme: prefix __thv_, scopes registry,
// workloads, auth, llm, quarantine scope legacy, and the seven legacy
// prefixes of ToolHive v0.47.0.
func DefaultScheme() Scheme {
	return Scheme{
		Prefix:     DefaultPrefix,
		Scopes:     []string{ScopeRegistry, ScopeWorkloads, ScopeAuth, ScopeLLM},
		Quarantine: ScopeLegacy,
		Legacy: []LegacyMapping{
			{Prefix: "BEARER_TOKEN_", Scope: ScopeWorkloads},
			{Prefix: "OAUTH_CLIENT_SECRET_", Scope: ScopeWorkloads},
			{Prefix: "OAUTH_REFRESH_TOKEN_", Scope: ScopeWorkloads},
			{Prefix: "registry-user-", Scope: ScopeWorkloads},
			{Prefix: "registry-default-", Scope: ScopeWorkloads},
			{Prefix: "BUILD_AUTH_FILE_", Scope: ScopeWorkloads},
			{Prefix: "REGISTRY_OAUTH_", Scope: ScopeRegistry},
		},
	}
}

// norm returns s, or the default scheme when s is the zero value.
func (s Scheme) norm() Scheme {
	if s.Prefix == "" && len(s.Scopes) == 0 && len(s.Legacy) == 0 && s.Quarantine == "" {
		return DefaultScheme()
	}
	if s.Quarantine == "" {
		s.Quarantine = ScopeLegacy
	}
	return s
}

// Normalized returns the effective scheme (the default one for the zero value).
func (s Scheme) Normalized() Scheme { return s.norm() }

// ValidScope reports whether scope is non-empty and only [a-z0-9].
func ValidScope(scope string) bool {
	if scope == "" {
		return false
	}
	for i := 0; i < len(scope); i++ {
		c := scope[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// Validate checks the scheme: a non-empty prefix ending in "_", valid and
// distinct scopes, a quarantine scope distinct from the others, non-empty
// legacy prefixes that map to a declared scope other than the quarantine
// scope, that neither start with the system prefix (they would never match)
// nor are a prefix of it, and that do not overlap (no prefix is a prefix of
// another: an earlier one would shadow a later one, or a key's scope would
// depend on the order). Errors wrap ErrInvalidScheme.
func (s Scheme) Validate() error {
	s = s.norm()
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidScheme, fmt.Sprintf(format, a...))
	}
	if s.Prefix == "" || !strings.HasSuffix(s.Prefix, "_") {
		return bad("system prefix %q must be non-empty and end in \"_\"", s.Prefix)
	}
	if !ValidScope(s.Quarantine) {
		return bad("quarantine scope %q must match [a-z0-9]+", s.Quarantine)
	}
	seen := map[string]bool{s.Quarantine: true}
	for _, sc := range s.Scopes {
		if !ValidScope(sc) {
			return bad("scope %q must match [a-z0-9]+", sc)
		}
		if seen[sc] {
			return bad("scope %q declared twice or equal to the quarantine scope", sc)
		}
		seen[sc] = true
	}
	for i, m := range s.Legacy {
		if m.Prefix == "" {
			return bad("legacy mapping %d has an empty prefix", i)
		}
		if strings.HasPrefix(m.Prefix, s.Prefix) || strings.HasPrefix(s.Prefix, m.Prefix) {
			return bad("legacy prefix %q collides with the system prefix %q", m.Prefix, s.Prefix)
		}
		if !seen[m.Scope] || m.Scope == s.Quarantine {
			return bad("legacy prefix %q maps to undeclared scope %q", m.Prefix, m.Scope)
		}
		for _, earlier := range s.Legacy[:i] {
			if strings.HasPrefix(m.Prefix, earlier.Prefix) {
				return bad("legacy prefix %q is shadowed by the earlier prefix %q", m.Prefix, earlier.Prefix)
			}
			if strings.HasPrefix(earlier.Prefix, m.Prefix) {
				return bad("legacy prefixes %q and %q overlap: a key's scope would depend on their order", earlier.Prefix, m.Prefix)
			}
		}
	}
	return nil
}

// HasScope reports whether scope is one of the declared scopes (the
// quarantine scope included).
func (s Scheme) HasScope(scope string) bool {
	s = s.norm()
	if scope == s.Quarantine {
		return true
	}
	for _, sc := range s.Scopes {
		if sc == scope {
			return true
		}
	}
	return false
}

// IsSystem reports whether key is a system key (starts with the prefix).
func (s Scheme) IsSystem(key string) bool { return strings.HasPrefix(key, s.norm().Prefix) }

// ScopedKey returns <prefix><scope>_<name>.
func (s Scheme) ScopedKey(scope, name string) string {
	return s.norm().Prefix + scope + "_" + name
}

// ParseKey splits a system key into scope and name. The scope ends at the
// first "_" after the prefix and must match [a-z0-9]+; ok is false for user
// keys and malformed system keys.
func (s Scheme) ParseKey(key string) (scope, name string, ok bool) {
	s = s.norm()
	rest, found := strings.CutPrefix(key, s.Prefix)
	if !found {
		return "", "", false
	}
	scope, name, found = strings.Cut(rest, "_")
	if !found || !ValidScope(scope) {
		return "", "", false
	}
	return scope, name, true
}

// LegacyScope returns the scope a legacy key maps to; ok is false for keys
// that match no legacy prefix and for system keys.
func (s Scheme) LegacyScope(key string) (scope string, ok bool) {
	s = s.norm()
	if strings.HasPrefix(key, s.Prefix) {
		return "", false
	}
	for _, m := range s.Legacy {
		if strings.HasPrefix(key, m.Prefix) {
			return m.Scope, true
		}
	}
	return "", false
}

// LegacyTarget returns the scoped key a legacy key moves to.
func (s Scheme) LegacyTarget(key string) (target string, ok bool) {
	scope, ok := s.LegacyScope(key)
	if !ok {
		return "", false
	}
	return s.ScopedKey(scope, key), true
}

// QuarantineKey returns the n-th quarantine slot for legacy key k:
// <prefix><quarantine>_<e(k)> for n <= 1, and that followed by "#<n>" for
// n >= 2, where e(k) is k with every "#" doubled. For a key without "#"
// this is the SPEC form (__thv_legacy_<k>, __thv_legacy_<k>#2, …); the
// doubling makes the mapping unambiguous whatever characters k holds:
// slot 1 of the key "K#2" is __thv_legacy_K##2, slot 2 of "K" is
// __thv_legacy_K#2. ParseQuarantineKey inverts it.
func (s Scheme) QuarantineKey(k string, n int) string {
	s = s.norm()
	base := s.ScopedKey(s.Quarantine, strings.ReplaceAll(k, "#", "##"))
	if n <= 1 {
		return base
	}
	return base + "#" + strconv.Itoa(n)
}

// ParseQuarantineKey returns the legacy key and slot a quarantine key
// stands for: the inverse of QuarantineKey. ok is false for any key that
// QuarantineKey never returns: not in the quarantine scope, an empty
// original key, a single "#" not followed by a slot number, a slot number
// below 2 or with a leading zero. For every key q with ok true,
// QuarantineKey(k, n) == q.
func (s Scheme) ParseQuarantineKey(q string) (k string, n int, ok bool) {
	s = s.norm()
	rest, found := strings.CutPrefix(q, s.ScopedKey(s.Quarantine, ""))
	if !found {
		return "", 0, false
	}
	var b strings.Builder
	n = 1
	for i := 0; i < len(rest); i++ {
		if rest[i] != '#' {
			b.WriteByte(rest[i])
			continue
		}
		if i+1 < len(rest) && rest[i+1] == '#' {
			b.WriteByte('#')
			i++
			continue
		}
		slot := rest[i+1:]
		if slot == "" || slot[0] == '0' || strings.Trim(slot, "0123456789") != "" {
			return "", 0, false
		}
		v, err := strconv.Atoi(slot)
		if err != nil || v < 2 {
			return "", 0, false
		}
		n = v
		break
	}
	if b.Len() == 0 {
		return "", 0, false
	}
	return b.String(), n, true
}
