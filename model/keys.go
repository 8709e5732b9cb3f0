package model

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// The model's key scheme: ToolHive v0.47.0's, written here from its
// description (docs/invariants.md; docs/cli.md for the legacy prefixes and
// quarantine keys) and shared with nothing in impl/, so that the oracle
// does not inherit a bug of the code it checks. keys_diff_test.go compares
// it with impl/secrets on drawn and near-miss keys.

// SystemPrefix starts every reserved key: scoped keys
// SystemPrefix+"<scope>_<name>", with <scope> in [a-z0-9]+.
const SystemPrefix = "__thv_"

// QuarantineScope holds the legacy values that lost a conflict (policy
// Keep): __thv_legacy_<key>, then <that>#2, #3, …
const QuarantineScope = "legacy"

// isSystem reports whether key is reserved (starts with SystemPrefix).
func isSystem(key string) bool { return strings.HasPrefix(key, SystemPrefix) }

// scopedKey is the key of name in scope.
func scopedKey(scope, name string) string { return SystemPrefix + scope + "_" + name }

// parseScoped splits a scoped key: the scope runs from the prefix to the
// first "_" and must be a non-empty [a-z0-9]+; the rest (possibly empty)
// is the name. ok is false for every other key.
func parseScoped(key string) (scope, name string, ok bool) {
	rest, ok := strings.CutPrefix(key, SystemPrefix)
	if !ok {
		return "", "", false
	}
	i := strings.IndexByte(rest, '_')
	if i <= 0 {
		return "", "", false
	}
	for _, c := range []byte(rest[:i]) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return "", "", false
		}
	}
	return rest[:i], rest[i+1:], true
}

// legacyScope returns the scope a legacy key moves to: the scope of the
// first of ToolHive's seven legacy prefixes that starts it. Reserved keys
// are never legacy.
func legacyScope(key string) (scope string, ok bool) {
	if isSystem(key) {
		return "", false
	}
	for _, p := range [...]struct{ prefix, scope string }{
		{"BEARER_TOKEN_", "workloads"},
		{"OAUTH_CLIENT_SECRET_", "workloads"},
		{"OAUTH_REFRESH_TOKEN_", "workloads"},
		{"registry-user-", "workloads"},
		{"registry-default-", "workloads"},
		{"BUILD_AUTH_FILE_", "workloads"},
		{"REGISTRY_OAUTH_", "registry"},
	} {
		if strings.HasPrefix(key, p.prefix) {
			return p.scope, true
		}
	}
	return "", false
}

// legacyTarget returns the scoped key a legacy key moves to: the whole
// legacy key becomes the name.
func legacyTarget(key string) (target string, ok bool) {
	scope, ok := legacyScope(key)
	if !ok {
		return "", false
	}
	return scopedKey(scope, key), true
}

// quarantineKey is slot n (from 1) of legacy key k: __thv_legacy_<k'>,
// and for n >= 2 that followed by "#<n>", where k' is k with each "#"
// written twice (so that slot 2 of "K" and slot 1 of "K#2" differ).
func quarantineKey(k string, n int) string {
	q := scopedKey(QuarantineScope, strings.ReplaceAll(k, "#", "##"))
	if n >= 2 {
		q += "#" + strconv.Itoa(n)
	}
	return q
}

// fingerprint stands for a value in violations and printed states, which
// never show values: "sha256:" and the first 12 hex digits of its SHA-256.
func fingerprint(value string) string {
	sum := sha256.Sum256([]byte(value))
	return "sha256:" + hex.EncodeToString(sum[:6])
}
