package model

import (
	"strings"
)

// User returns what a UserProvider lists: every non-system key.
func (m Model) User(s State) map[string]string {
	out := map[string]string{}
	for k, v := range s.Secrets {
		if !isSystem(k) {
			out[k] = v
		}
	}
	return out
}

// Scoped returns what ScopedProvider(scope).GetSecret(name) returns: the
// scoped key, else the bare key name unless name is reserved (starts with
// the system prefix: a scope never reads another scope's keys through the
// fallback); ok is false for not-found.
func (m Model) Scoped(s State, scope, name string) (string, bool) {
	if v, ok := s.Secrets[scopedKey(scope, name)]; ok {
		return v, true
	}
	if isSystem(name) {
		return "", false
	}
	v, ok := s.Secrets[name]
	return v, ok
}

// ScopedList returns what ScopedProvider(scope).ListSecrets returns, as a
// map from name to value.
func (m Model) ScopedList(s State, scope string) map[string]string {
	pfx := scopedKey(scope, "")
	out := map[string]string{}
	for k, v := range s.Secrets {
		if name, ok := strings.CutPrefix(k, pfx); ok && name != "" {
			out[name] = v
		}
	}
	return out
}

// Point is one observation: a scoped read (Scope, Name) or, with Scope
// empty, a user read of Name.
type Point struct {
	Scope string `json:"scope,omitempty"`
	Name  string `json:"name"`
}

func (p Point) String() string {
	if p.Scope == "" {
		return "user:" + p.Name
	}
	return p.Scope + ":" + p.Name
}

// Obs returns the value every caller that must not notice the migration
// observes: for every scoped key (outside the quarantine scope) and every
// legacy key, the scoped read of its scope (with the fallback); for every
// user key that is not legacy, the user read. The migration must leave Obs
// unchanged at every crash point (invariant I1).
func (m Model) Obs(s State) map[Point]string {
	out := map[Point]string{}
	for k, v := range s.Secrets {
		if scope, name, ok := parseScoped(k); ok {
			if scope != QuarantineScope {
				val, _ := m.Scoped(s, scope, name)
				out[Point{scope, name}] = val
			}
			continue
		}
		if isSystem(k) {
			continue
		}
		if scope, ok := legacyScope(k); ok {
			val, _ := m.Scoped(s, scope, k)
			out[Point{scope, k}] = val
			continue
		}
		out[Point{Name: k}] = v
	}
	return out
}

// Obs is Model{}.Obs.
func Obs(s State) map[Point]string { return Model{}.Obs(s) }

// User is Model{}.User.
func User(s State) map[string]string { return Model{}.User(s) }

// Scoped is Model{}.Scoped.
func Scoped(s State, scope, name string) (string, bool) { return Model{}.Scoped(s, scope, name) }
