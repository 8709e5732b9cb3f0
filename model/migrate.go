package model

// Model holds the pure functions. Its key scheme is ToolHive v0.47.0's
// (SystemPrefix, QuarantineScope and its seven legacy prefixes). The zero
// value is ready to use.
type Model struct {
	// ParseConfig parses configs for the I9 checks, Diff and ConfigEqual;
	// nil is ParseConfig. A harness that checks the same configs many
	// times passes a memo of it (the checks stay pure functions).
	ParseConfig ConfigParser
}

// Move is one legacy key and the scoped key it moves to.
type Move struct {
	Key    string `json:"key"`
	Target string `json:"target"`
	Scope  string `json:"scope"`
}

// Legacy returns the legacy keys of s with their targets, sorted by key.
func (m Model) Legacy(s State) []Move {
	var out []Move
	for _, k := range s.Clone().Keys() {
		scope, ok := legacyScope(k)
		if !ok {
			continue
		}
		out = append(out, Move{Key: k, Target: scopedKey(scope, k), Scope: scope})
	}
	return out
}

// Migrate returns the state after a complete migration of s under policy:
// for each legacy key k with target t, t := s[k] when t is absent; nothing
// when t holds the same value; on a differing value, Keep stores s[k] under
// the first quarantine slot that is free or already holds it, Drop discards
// it. Then k is deleted and the flag is set: the config file exists
// (created, holding only the flag, when it was missing) and keeps every
// other field (its Text is the original's: comparisons ignore the flag). s is not
// modified.
func (m Model) Migrate(s State, p Policy) State {
	out := m.MigrateBody(s, p)
	out.Migrated = true
	if !out.Config.Exists { // the flag writer creates a flag-only file
		out.Config = Config{Exists: true, Text: ConfigFlag + ": true\n"}
	}
	return out
}

// MigrateBody is Migrate without setting the flag.
func (m Model) MigrateBody(s State, p Policy) State {
	out := s.Clone()
	for _, mv := range m.Legacy(s) {
		v := out.Secrets[mv.Key]
		cur, present := out.Secrets[mv.Target]
		switch {
		case !present:
			out.Secrets[mv.Target] = v
		case cur == v:
		case p == Keep:
			out.Secrets[m.QuarantineSlot(out, mv.Key, v)] = v
		}
		delete(out.Secrets, mv.Key)
	}
	return out
}

// QuarantineSlot returns the first quarantine key for legacy key k that is
// free in s or already holds v.
func (m Model) QuarantineSlot(s State, k, v string) string {
	for n := 1; ; n++ {
		q := quarantineKey(k, n)
		cur, ok := s.Secrets[q]
		if !ok || cur == v {
			return q
		}
	}
}

// Package-level shorthands.

// Legacy is Model{}.Legacy.
func Legacy(s State) []Move { return Model{}.Legacy(s) }

// Migrate is Model{}.Migrate.
func Migrate(s State, p Policy) State { return Model{}.Migrate(s, p) }
