package harness

import (
	"math/rand/v2"

	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// chooser draws an integer in [0, n); implemented over rapid (shrinkable)
// and over a seeded PRNG (sweeps, soak).
type chooser interface{ intn(label string, n int) int }

type rapidChooser struct{ t *rapid.T }

func (c rapidChooser) intn(label string, n int) int { return rapid.IntRange(0, n-1).Draw(c.t, label) }

type randChooser struct{ r *rand.Rand }

func (c randChooser) intn(_ string, n int) int { return c.r.IntN(n) }

// Name pools: small, so that generated stores have collisions (identical
// pairs, conflicts, quarantine slots in use). Arrays, so they cannot be
// changed through a shared slice.
var (
	legacyPrefixes = [...]string{"BEARER_TOKEN_", "OAUTH_CLIENT_SECRET_", "OAUTH_REFRESH_TOKEN_",
		"registry-user-", "registry-default-", "BUILD_AUTH_FILE_", "REGISTRY_OAUTH_"}
	baseNames = []string{"a", "gh", "x_y", "naïve ✓", "with space", "docker.io"}
	userNames = []string{"github-token", "my key", "ключ", "BEARER", "__thv", "thv_x"}
)

// genStore draws a store of at most maxKeys keys. Kinds: legacy keys (every
// prefix), their scoped twins with the same or another value, quarantine
// keys already in use, other scoped keys, user keys (unicode, spaces,
// look-alikes of the prefixes). Values are valueOf(small int).
func genStore(c chooser, maxKeys int) model.State {
	sch := secrets.DefaultScheme()
	s := map[string]string{}
	n := c.intn("keys", maxKeys+1)
	for len(s) < n {
		val := valueOf(c.intn("value", 8))
		name := baseNames[c.intn("name", len(baseNames))]
		switch c.intn("kind", 6) {
		case 0, 1: // a legacy key, maybe with a twin
			k := legacyPrefixes[c.intn("prefix", len(legacyPrefixes))] + name
			s[k] = val
			if c.intn("twin", 3) > 0 && len(s) < n {
				t, _ := sch.LegacyTarget(k)
				if c.intn("same", 2) == 0 {
					s[t] = val
				} else {
					s[t] = valueOf(c.intn("twin-value", 8))
					if c.intn("slot-taken", 2) == 0 {
						s[sch.QuarantineKey(k, 1)] = valueOf(c.intn("slot-value", 8))
					}
				}
			}
		case 2: // a quarantine slot already in use
			k := legacyPrefixes[c.intn("prefix", len(legacyPrefixes))] + name
			s[sch.QuarantineKey(k, 1+c.intn("slot", 2))] = val
		case 3: // another scoped key
			scope := sch.Scopes[c.intn("scope", len(sch.Scopes))]
			s[sch.ScopedKey(scope, name)] = val
		default: // a user key
			s[userNames[c.intn("user", len(userNames))]+"-"+name] = val
		}
	}
	return model.State{Secrets: s, Config: genConfig(c)}
}

// FixtureState is the raw content of the ToolHive v0.47.0 fixture store
// (testdata/toolhive-v0.47.0), built into the harness so that the CLI can
// sweep it from any directory.
func FixtureState() model.State {
	return model.State{Secrets: map[string]string{
		"BEARER_TOKEN_conflict":                 "bare-value-older",
		"BEARER_TOKEN_fetch":                    "legacy-bearer-fetch",
		"BEARER_TOKEN_same":                     "identical",
		"BUILD_AUTH_FILE_npmrc":                 "legacy-build-auth",
		"OAUTH_CLIENT_SECRET_gh-remote":         "legacy-oauth-client-secret",
		"OAUTH_REFRESH_TOKEN_gh-remote":         "legacy-oauth-refresh",
		"REGISTRY_OAUTH_a1b2c3d4":               "legacy-registry-oauth",
		"__thv_llm_gateway":                     "llm-scoped",
		"__thv_workloads_BEARER_TOKEN_already":  "already-scoped",
		"__thv_workloads_BEARER_TOKEN_conflict": "scoped-value-newer",
		"__thv_workloads_BEARER_TOKEN_same":     "identical",
		"github-token":                          "ghp_user_visible_value_1",
		"my-api-key":                            "user-value-2",
		"registry-default-docker.io":            "legacy-registry-default",
		"registry-user-ghcr.io":                 "legacy-registry-user",
	}}
}

// EdgeStates are the fixed stores every sweep explores besides the
// generated ones: the ToolHive fixture, and the fixture with its
// conflicting key's quarantine slots already taken by other values (the
// migration must find the first free slot, never overwrite one).
func EdgeStates() []model.State {
	taken := FixtureState()
	sch := secrets.DefaultScheme()
	taken.Secrets[sch.QuarantineKey("BEARER_TOKEN_conflict", 1)] = "quarantined-before-1"
	taken.Secrets[sch.QuarantineKey("BEARER_TOKEN_conflict", 2)] = "bare-value-older"
	taken.Secrets[sch.QuarantineKey("BEARER_TOKEN_fetch", 1)] = "quarantined-before-2"
	fixture := FixtureState()
	fixture.Config = model.Config{Exists: true, Text: FixtureConfig}
	taken.Config = model.Config{Exists: true, Text: FixtureConfig + "# edited by hand\nunknown: {nested: [1, 2]}\n"}
	return []model.State{fixture, taken}
}
