package model

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// InvariantID names one of the invariants listed, with what each means,
// in docs/invariants.md.
type InvariantID string

// The invariants. Violations are reported by these ids.
const (
	I1 InvariantID = "I1" // observable-equivalence
	I2 InvariantID = "I2" // no-loss
	I3 InvariantID = "I3" // flag-after-data
	I4 InvariantID = "I4" // convergence
	I5 InvariantID = "I5" // idempotence
	I6 InvariantID = "I6" // durability
	I7 InvariantID = "I7" // atomicity
	I8 InvariantID = "I8" // hygiene
	I9 InvariantID = "I9" // config-preservation
)

// Name returns the invariant's short name.
func (id InvariantID) Name() string {
	switch id {
	case I1:
		return "observable-equivalence"
	case I2:
		return "no-loss"
	case I3:
		return "flag-after-data"
	case I4:
		return "convergence"
	case I5:
		return "idempotence"
	case I6:
		return "durability"
	case I7:
		return "atomicity"
	case I8:
		return "hygiene"
	case I9:
		return "config-preservation"
	}
	return "unknown"
}

// Violation is one broken invariant. Detail names keys and value
// fingerprints, never values.
type Violation struct {
	ID     InvariantID `json:"invariant"`
	Detail string      `json:"detail"`
}

func (v Violation) String() string { return fmt.Sprintf("%s %s: %s", v.ID, v.ID.Name(), v.Detail) }

func violation(id InvariantID, format string, a ...any) Violation {
	return Violation{ID: id, Detail: fmt.Sprintf(format, a...)}
}

func fp(v string, ok bool) string {
	if !ok {
		return "<not found>"
	}
	return fingerprint(v)
}

// CheckObservable (I1): every observation point of s0 reads the same value
// in c, and c has no observation point s0 lacks.
func (m Model) CheckObservable(s0, c State) []Violation {
	want, got := m.Obs(s0), m.Obs(c)
	var out []Violation
	points := slices.SortedFunc(maps.Keys(unionKeys(want, got)), func(a, b Point) int {
		if a.Scope != b.Scope {
			return strings.Compare(a.Scope, b.Scope)
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, p := range points {
		w, wok := want[p]
		g, gok := got[p]
		if wok != gok || w != g {
			out = append(out, violation(I1, "%s reads %s, want %s", p, fp(g, gok), fp(w, wok)))
		}
	}
	return out
}

// CheckNoLoss (I2): every value of s0 is still stored under its own key, its
// target key, or (policy Keep) one of its quarantine keys. Under Drop, a
// legacy value may be gone only when its target holds a different value.
func (m Model) CheckNoLoss(s0, c State, p Policy) []Violation {
	var out []Violation
	for _, k := range s0.Clone().Keys() {
		v := s0.Secrets[k]
		if cur, ok := c.Secrets[k]; ok && cur == v {
			continue
		}
		target, legacy := legacyTarget(k)
		if !legacy {
			out = append(out, violation(I2, "%q lost value %s", k, fingerprint(v)))
			continue
		}
		if cur, ok := c.Secrets[target]; ok && cur == v {
			continue
		}
		if m.quarantined(c, k, v) {
			continue
		}
		if cur, ok := c.Secrets[target]; p == Drop && ok && cur != v {
			continue
		}
		out = append(out, violation(I2, "legacy %q value %s is under neither %q nor a quarantine key", k, fingerprint(v), target))
	}
	return out
}

func (m Model) quarantined(c State, k, v string) bool {
	for n := 1; ; n++ {
		cur, ok := c.Secrets[quarantineKey(k, n)]
		if !ok {
			return false
		}
		if cur == v {
			return true
		}
	}
}

// CheckFlagAfterData (I3): a state whose flag is set has no legacy key.
func (m Model) CheckFlagAfterData(c State) []Violation {
	if !c.Migrated {
		return nil
	}
	var out []Violation
	for _, mv := range m.Legacy(c) {
		out = append(out, violation(I3, "flag set while legacy key %q is still stored", mv.Key))
	}
	return out
}

// CheckConverged (I4): final equals Migrate(s0, p) exactly.
func (m Model) CheckConverged(s0, final State, p Policy) []Violation {
	return m.diff(I4, m.Migrate(s0, p), final)
}

// CheckIdempotent (I5): the migration body run on the migrated state changes
// nothing.
func (m Model) CheckIdempotent(migrated, rerun State) []Violation {
	return m.diff(I5, migrated, rerun)
}

// CheckAll runs I1, I2, I3 and I9 on a crash image c of a migration from
// s0.
func (m Model) CheckAll(s0, c State, p Policy) []Violation {
	out := m.CheckObservable(s0, c)
	out = append(out, m.CheckNoLoss(s0, c, p)...)
	out = append(out, m.CheckFlagAfterData(c)...)
	return append(out, m.CheckConfig(s0.Config, c.Config)...)
}

// Diff describes how got differs from want, key by key, with fingerprints,
// then the config's fields by name.
func Diff(want, got State) []string { return Model{}.Diff(want, got) }

// Diff is the package's Diff with m's config parser.
func (m Model) Diff(want, got State) []string {
	var out []string
	if want.Migrated != got.Migrated {
		out = append(out, fmt.Sprintf("flag is %v, want %v", got.Migrated, want.Migrated))
	}
	for _, k := range slices.Sorted(maps.Keys(unionKeys(want.Secrets, got.Secrets))) {
		w, wok := want.Secrets[k]
		g, gok := got.Secrets[k]
		if wok != gok || w != g {
			out = append(out, fmt.Sprintf("%q is %s, want %s", k, fp(g, gok), fp(w, wok)))
		}
	}
	return append(out, m.configDiff(want.Config, got.Config)...)
}

func (m Model) diff(id InvariantID, want, got State) []Violation {
	var out []Violation
	for _, d := range m.Diff(want, got) {
		out = append(out, Violation{ID: id, Detail: d})
	}
	return out
}

func unionKeys[K comparable, V any](a, b map[K]V) map[K]struct{} {
	out := make(map[K]struct{}, len(a)+len(b))
	for k := range a {
		out[k] = struct{}{}
	}
	for k := range b {
		out[k] = struct{}{}
	}
	return out
}
