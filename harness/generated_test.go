package harness

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// genFloor is the least share of generated cases each class must reach.
const genFloor = 0.05

// storeClasses names the classes of cases that matter which store s
// belongs to, judged from its content alone (not from how it was drawn).
func storeClasses(s model.State) []string {
	sch := secrets.DefaultScheme()
	var out []string
	has := func(f func(k, v string) bool) bool {
		for k, v := range s.Secrets {
			if f(k, v) {
				return true
			}
		}
		return false
	}
	if has(func(k, _ string) bool { return isNearMiss(sch, k) }) {
		out = append(out, "near-miss user key")
	}
	if has(func(k, v string) bool {
		t, ok := sch.LegacyTarget(k)
		if !ok {
			return false
		}
		for _, other := range []string{t, sch.QuarantineKey(k, 1), sch.QuarantineKey(k, 2)} {
			if w, ok := s.Secrets[other]; !ok || w == v {
				return false
			}
		}
		return true
	}) {
		out = append(out, "quarantine chain (#1, #2 taken)")
	}
	if has(func(k, _ string) bool {
		return strings.ContainsAny(k, "#/") || strings.Contains(k, "..") || !isASCII(k)
	}) {
		out = append(out, "name with #, /, .. or unicode")
	}
	if has(func(_, v string) bool { return v == "" }) {
		out = append(out, "empty value")
	}
	return out
}

// isNearMiss: a user key (neither legacy nor system) that a sloppy match
// would take for one: it starts with the first word of a legacy prefix (in
// any case, "-" or "_"), or with a misspelt system prefix.
func isNearMiss(sch secrets.Scheme, k string) bool {
	if sch.IsSystem(k) {
		return false
	}
	if _, ok := sch.LegacyTarget(k); ok {
		return false
	}
	norm := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(k), "-", "_"))
	first := func(s string) string { w, _, _ := strings.Cut(s, "_"); return w }
	for _, m := range sch.Normalized().Legacy {
		if first(norm) == first(strings.ToLower(strings.ReplaceAll(m.Prefix, "-", "_"))) {
			return true
		}
	}
	return strings.HasPrefix(norm, "_thv") || strings.HasPrefix(norm, "__thv")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// tally counts the share of cases in each class and fails t below the
// floor for any class in want.
func tally(t *testing.T, what string, cases int, counts map[string]int, want []string) {
	t.Helper()
	for _, c := range want {
		share := float64(counts[c]) / float64(cases)
		t.Logf("%-10s %-32s %5.1f%% (%d of %d)", what, c, 100*share, counts[c], cases)
		if share < genFloor {
			t.Errorf("%s: class %q in %.1f%% of cases, want at least %.0f%%", what, c, 100*share, 100*genFloor)
		}
	}
}

var storeClassNames = []string{"near-miss user key", "quarantine chain (#1, #2 taken)", "name with #, /, .. or unicode", "empty value"}

// TestGeneratorClassFrequencies: every class of case that matters appears
// in at least genFloor of the stores each generator draws (the PRNG one of
// the sweeps and the soak, rapid's of the property), at Verify's default
// size; and in the state machine's runs, scoped deletes of system keys
// (through ScopedProvider), of stored ones too.
func TestGeneratorClassFrequencies(t *testing.T) {
	const n, maxKeys = 2000, 12
	t.Run("sweep", func(t *testing.T) {
		counts := map[string]int{}
		rng := rand.New(rand.NewPCG(1, 2))
		for range n {
			for _, c := range storeClasses(fixture.GenStore(fixture.RandChooser{R: rng}, maxKeys)) {
				counts[c]++
			}
		}
		tally(t, "sweep", n, counts, storeClassNames)
	})
	t.Run("property", func(t *testing.T) {
		counts, cases := map[string]int{}, 0
		failed, logs, err := checkRapid("gen", 1, 500, 0, false, func(rt *rapid.T) {
			cases++
			for _, c := range storeClasses(fixture.GenStore(fixture.RapidChooser{T: rt}, maxKeys)) {
				counts[c]++
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if failed {
			t.Fatalf("rapid: %v", logs)
		}
		tally(t, "property", cases, counts, storeClassNames)
	})
	t.Run("statemachine", func(t *testing.T) {
		if testing.Short() {
			t.Skip("rapid runs a fifth of its checks under -short, too few for a class frequency; make test runs this")
		}
		sw := &sweeper{e: newEnv(context.Background(), Targets()[0])}
		var runs []*machine
		var last *failure
		failed, logs, err := checkRapid("gen-machine", 1, 100, 0, false, func(rt *rapid.T) {
			m := &machine{sw: sw, modes: faults.Modes(), last: &last}
			runs = append(runs, m)
			m.run(rt)
		})
		if err != nil {
			t.Fatal(err)
		}
		if failed {
			t.Fatalf("state machine failed: %v", logs)
		}
		counts := map[string]int{}
		for _, m := range runs {
			seen := map[string]bool{}
			for _, l := range m.log {
				if strings.Contains(l, " delete ") && strings.Contains(l, "(system key") {
					seen["scoped delete of a system key"] = true
				}
				if strings.Contains(l, "present=true)") {
					seen["scoped delete of a stored system key"] = true
				}
			}
			for c := range seen {
				counts[c]++
			}
		}
		tally(t, "machine", len(runs), counts, []string{"scoped delete of a system key", "scoped delete of a stored system key"})
	})
}

// The classifier itself: each class is recognised, and ordinary stores
// are not put in it.
func TestStoreClasses(t *testing.T) {
	sch := secrets.DefaultScheme()
	for _, k := range fixture.NearMisses() {
		if !isNearMiss(sch, k) {
			t.Errorf("%q is not classed a near miss", k)
		}
	}
	for _, k := range []string{"github-token", "BEARER_TOKEN_x", "__thv_workloads_x", "my key"} {
		if isNearMiss(sch, k) {
			t.Errorf("%q is classed a near miss", k)
		}
	}
	chain := model.State{Secrets: map[string]string{"BEARER_TOKEN_a": "v", "__thv_workloads_BEARER_TOKEN_a": "w",
		sch.QuarantineKey("BEARER_TOKEN_a", 1): "x", sch.QuarantineKey("BEARER_TOKEN_a", 2): "y"}}
	if got := storeClasses(chain); !slices.Contains(got, storeClassNames[1]) {
		t.Errorf("chain classes %v", got)
	}
	chain.Secrets[sch.QuarantineKey("BEARER_TOKEN_a", 2)] = "v" // #2 holds the value: no slot #3 needed
	if got := storeClasses(chain); slices.Contains(got, storeClassNames[1]) {
		t.Errorf("chain with a free slot classed %v", got)
	}
	if got := fmt.Sprint(storeClasses(fixture.FixtureState())); got != "[]" {
		t.Errorf("fixture classes %s, want none", got)
	}
}
