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
	// baseNames end legacy, scoped and user keys. Half are hostile: "#"
	// (the quarantine slot separator), "/" and ".." (path escapes for a
	// store that maps names to files), unicode.
	baseNames = [...]string{"a", "gh", "docker.io", "with space", "x#2", "../up", "dir/sub", "naïve-ключ-✓"}
	userNames = [...]string{"github-token", "my key", "ключ", "thv_x"}
	// nearMisses are user keys that look like legacy or system keys but
	// are not: a migration must leave them alone.
	nearMisses = [...]string{"registry-mirror", "registry-", "registry-users-x", "registry-default",
		"BEARER_TOKEN", "bearer_token_x", "BEARER-TOKEN-x", "OAUTH_x", "OAUTH_CLIENT_SECRET",
		"REGISTRY_OAUTH", "BUILD_AUTH_FILEx", "_thv_workloads_x", "__THV_workloads_x", "__thv", " BEARER_TOKEN_x"}
)

// keyKind is what one key draw adds to a store.
type keyKind int

const (
	kindLegacy   keyKind = iota // a legacy key (every prefix)
	kindTwin                    // the scoped target of the last legacy key
	kindSlot                    // the next quarantine slot of the last legacy key
	kindScoped                  // another scoped key
	kindUser                    // a user key
	kindNearMiss                // a user key that nearly matches a legacy prefix
)

// kindOf maps a draw in [0, len(kindOf)) to a kind, weighted so that
// legacy keys with twins and quarantine chains are common, and ordered so
// that rapid (which favours small draws) builds chains too. Draw 0 is a
// legacy key: what rapid shrinks towards.
var kindOf = [...]keyKind{kindLegacy, kindTwin, kindSlot, kindSlot, kindLegacy, kindTwin, kindSlot, kindNearMiss,
	kindLegacy, kindTwin, kindSlot, kindScoped, kindUser, kindNearMiss}

// keyDraw is one drawn key. A store is a list of draws, built in order and
// deduplicated (the first draw of a key wins): rapid removes a draw, so a
// key, at a time when it shrinks.
type keyDraw struct {
	kind  keyKind
	pick  int // prefix, scope, user or near-miss index; for a twin or a slot, 0 refers to the first legacy key, 1 to the last
	name  int // base name index
	same  bool
	value int
}

func drawKey(c chooser) keyDraw {
	d := keyDraw{kind: kindOf[c.intn("kind", len(kindOf))]}
	switch d.kind {
	case kindLegacy:
		d.pick = c.intn("prefix", len(legacyPrefixes))
		d.name = c.intn("name", len(baseNames))
	case kindTwin:
		d.same = c.intn("same", 3) == 0
		d.pick = c.intn("ref", 2)
	case kindSlot:
		d.pick = c.intn("ref", 2)
	case kindScoped:
		d.pick = c.intn("scope", len(secrets.DefaultScheme().Scopes))
		d.name = c.intn("name", len(baseNames))
	case kindUser:
		d.pick = c.intn("user", len(userNames))
		d.name = c.intn("name", len(baseNames))
	case kindNearMiss:
		d.pick = c.intn("near-miss", len(nearMisses))
	}
	if !d.same {
		d.value = c.intn("value", 8)
	}
	return d
}

// drawKeys draws up to maxKeys key draws: under rapid a slice of draws
// (each removable on its own when rapid shrinks), else a count and a loop.
func drawKeys(c chooser, maxKeys int) []keyDraw {
	if rc, ok := c.(rapidChooser); ok {
		gen := rapid.Custom(func(t *rapid.T) keyDraw { return drawKey(rapidChooser{t}) })
		return rapid.SliceOfN(gen, 0, maxKeys).Draw(rc.t, "keys")
	}
	out := make([]keyDraw, c.intn("keys", maxKeys+1))
	for i := range out {
		out[i] = drawKey(c)
	}
	return out
}

// buildStore turns draws into a store. A twin or a slot refers to the
// first or the last legacy key drawn before it (when there is none yet, it
// is that legacy key, BEARER_TOKEN_a, itself); a slot draw takes that key's next quarantine slot (#1, #2,
// then #3), so a few draws build a chain whose first slots are held by
// other values.
func buildStore(draws []keyDraw) model.State {
	sch := secrets.DefaultScheme()
	s := map[string]string{}
	type legacy struct {
		key, val string
		slots    int
	}
	var keys []*legacy // legacy keys in the order drawn
	ref := func(pick int) *legacy {
		if pick == 0 {
			return keys[0]
		}
		return keys[len(keys)-1]
	}
	for _, d := range draws {
		var k string
		v := valueOf(d.value)
		if len(keys) == 0 && (d.kind == kindTwin || d.kind == kindSlot) {
			d = keyDraw{kind: kindLegacy, value: d.value} // nothing to refer to yet
		}
		switch d.kind {
		case kindLegacy:
			k = legacyPrefixes[d.pick] + baseNames[d.name]
			if _, dup := s[k]; !dup {
				keys = append(keys, &legacy{key: k, val: v})
			}
		case kindTwin:
			l := ref(d.pick)
			k, _ = sch.LegacyTarget(l.key)
			if d.same {
				v = l.val
			}
		case kindSlot:
			l := ref(d.pick)
			l.slots = min(l.slots+1, 3)
			k = sch.QuarantineKey(l.key, l.slots)
		case kindScoped:
			k = sch.ScopedKey(sch.Scopes[d.pick], baseNames[d.name])
		case kindUser:
			k = userNames[d.pick] + "-" + baseNames[d.name]
		case kindNearMiss:
			k = nearMisses[d.pick]
		}
		if _, dup := s[k]; !dup {
			s[k] = v
		}
	}
	return model.State{Secrets: s}
}

// genStore draws a store of at most maxKeys keys. Kinds: legacy keys (every
// prefix), their scoped twins with the same or another value, quarantine
// chains of up to three slots, other scoped keys, user keys (unicode,
// spaces, "#", "/", ".."), near misses of the legacy and system prefixes.
// Values are valueOf(small int), the empty value included.
// The config document comes from genConfig.
func genStore(c chooser, maxKeys int) model.State {
	s := buildStore(drawKeys(c, maxKeys))
	s.Config = genConfig(c)
	return s
}

// genStoreN draws a store of exactly n keys (Explore's fixed size).
func genStoreN(c chooser, n int) model.State {
	var draws []keyDraw
	for len(buildStore(draws).Secrets) < n {
		draws = append(draws, drawKey(c))
	}
	s := buildStore(draws)
	s.Config = genConfig(c)
	return s
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
// generated ones: the ToolHive fixture; the fixture with its conflicting
// key's quarantine slots #1 and #2 already taken by other values (the
// migration must find slot #3, never overwrite one) and another key's
// slot #1 taken; and the fixture with near misses of the legacy prefixes
// that must stay where they are.
func EdgeStates() []model.State {
	taken := FixtureState()
	sch := secrets.DefaultScheme()
	taken.Secrets[sch.QuarantineKey("BEARER_TOKEN_conflict", 1)] = "quarantined-before-1"
	taken.Secrets[sch.QuarantineKey("BEARER_TOKEN_conflict", 2)] = "quarantined-before-2"
	taken.Secrets[sch.QuarantineKey("BEARER_TOKEN_fetch", 1)] = "quarantined-before-3"
	taken.Config = model.Config{Exists: true, Text: FixtureConfig + "# edited by hand\nunknown: {nested: [1, 2]}\n"}
	near := FixtureState()
	for _, k := range nearMisses {
		near.Secrets[k] = "near-miss-value-" + k
	}
	fixture := FixtureState()
	fixture.Config = model.Config{Exists: true, Text: FixtureConfig}
	near.Config = fixture.Config
	return []model.State{fixture, taken, near}
}
