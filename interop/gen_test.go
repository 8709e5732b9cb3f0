package interop

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	thsecrets "github.com/stacklok/toolhive/pkg/secrets"
	"github.com/stretchr/testify/require"
)

// legacyPrefixes are ToolHive v0.47.0's legacy prefixes with their scopes,
// read from ToolHive itself.
func legacyPrefixes() (prefixes []string, scopeOf map[string]string) {
	scopeOf = map[string]string{}
	for _, m := range thsecrets.SystemKeyPrefixMappings {
		prefixes = append(prefixes, m.Prefix)
		scopeOf[m.Prefix] = string(m.Scope)
	}
	return prefixes, scopeOf
}

// genStore returns a seeded random store of about n keys in the shapes a
// real ToolHive store holds before the migration: legacy keys of every
// prefix (each prefix at least once), conflicting pairs (legacy key and
// its scoped target with different values), identical pairs, keys already
// scoped, keys in other scopes and in a wrong scope, pre-existing
// quarantine keys, user keys that look almost legacy, and empty, unicode,
// JSON-hostile values.
func genStore(seed uint64, n int) map[string]string {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	prefixes, scopeOf := legacyPrefixes()
	m := map[string]string{}
	target := func(k string) string {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				return thsecrets.SystemKeyPrefix + scopeOf[p] + "_" + k
			}
		}
		panic("not legacy: " + k)
	}
	legacy := func() string { return prefixes[rng.IntN(len(prefixes))] + genName(rng) }
	for i, p := range prefixes { // every prefix at least once
		m[p+genName(rng)+fmt.Sprint(i)] = genValue(rng)
	}
	// Every shape at least once, then random shapes.
	for i := 0; len(m) < n; i++ {
		shape := rng.IntN(10)
		if i < len(shapeOrder) {
			shape = shapeOrder[i]
		}
		switch shape {
		case 0, 1, 2: // plain legacy key
			m[legacy()] = genValue(rng)
		case 3: // conflict: the scoped target already holds another value
			k := legacy()
			v := genValue(rng)
			m[k] = v
			m[target(k)] = v + "-newer"
		case 4: // identical pair
			k := legacy()
			v := genValue(rng)
			m[k], m[target(k)] = v, v
		case 5: // already scoped, no bare key left
			m[target(legacy())] = genValue(rng)
		case 6: // other scopes, a legacy-looking name in the wrong scope, a quarantine key
			switch rng.IntN(3) {
			case 0:
				m["__thv_llm_"+genName(rng)] = genValue(rng)
			case 1:
				m["__thv_registry_BEARER_TOKEN_"+genName(rng)] = genValue(rng)
			default:
				m["__thv_legacy_"+legacy()] = genValue(rng)
			}
		default: // user keys, some nearly legacy
			near := []string{"", "bearer_token_", "BEARER-TOKEN-", "REGISTRY_OAUTH", "registry-", "x_BEARER_TOKEN_", "__thv", "_thv_"}
			m[near[rng.IntN(len(near))]+genName(rng)] = genValue(rng)
		}
	}
	return m
}

// shapeOrder lists one case of genStore's switch per shape.
var shapeOrder = [...]int{3, 4, 5, 6, 6, 6, 7}

func genName(rng *rand.Rand) string {
	const alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._"
	var b strings.Builder
	for range 1 + rng.IntN(12) {
		if rng.IntN(20) == 0 {
			b.WriteString([]string{"ü", "日本", "🔑"}[rng.IntN(3)])
			continue
		}
		b.WriteByte(alpha[rng.IntN(len(alpha))])
	}
	return b.String()
}

// genValue returns valid UTF-8 (ToolHive's JSON encoding would replace
// invalid bytes): sometimes empty, often with unicode and characters JSON
// must escape.
func genValue(rng *rand.Rand) string {
	if rng.IntN(12) == 0 {
		return ""
	}
	parts := []string{"tok", "é", "日本語", "🔑", "\"", "\\", "\n", "\t", "<&>", "\u2028", " ", "\x00", "ghp_", "=="}
	var b strings.Builder
	for range 1 + rng.IntN(8) {
		if rng.IntN(2) == 0 {
			b.WriteString(parts[rng.IntN(len(parts))])
		} else {
			fmt.Fprintf(&b, "%x", rng.Uint32())
		}
	}
	return b.String()
}

// TestGenStoreShapes proves the generator produces the shapes the random
// comparison relies on, for every seed it runs.
func TestGenStoreShapes(t *testing.T) {
	for _, seed := range randomSeeds(t) {
		m := genStore(seed, 20)
		var conflicts, identical, scopedOnly, user int
		prefixes := map[string]bool{}
		for k, v := range m {
			if tgt, ok := legacyTarget(k); ok {
				for _, mp := range thsecrets.SystemKeyPrefixMappings {
					if strings.HasPrefix(k, mp.Prefix) {
						prefixes[mp.Prefix] = true
						break
					}
				}
				if tv, had := m[tgt]; had && tv != v {
					conflicts++
				} else if had {
					identical++
				}
			} else if thsecrets.IsSystemKey(k) {
				scopedOnly++
			} else {
				user++
			}
		}
		require.GreaterOrEqual(t, len(m), 20, "seed %d", seed)
		require.Len(t, prefixes, len(thsecrets.SystemKeyPrefixMappings), "seed %d: every legacy prefix", seed)
		require.Positive(t, conflicts, "seed %d: conflicts", seed)
		require.Positive(t, identical, "seed %d: identical pairs", seed)
		require.Positive(t, scopedOnly, "seed %d: scoped keys", seed)
		require.Positive(t, user, "seed %d: user keys", seed)
	}
}
