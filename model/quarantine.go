package model

import (
	"strconv"
	"strings"
)

// The quarantine operations of `scopemig legacy restore|drop`, as pure
// functions: what the store holds after one of them returned. Written from
// their documentation (docs/cli.md, `scopemig legacy restore --help`), not
// from impl/migrate; quarantine_diff_test.go compares the two.

// QuarantineOutcome is how a restore or drop ended. Every outcome but
// Restored and Dropped writes nothing.
type QuarantineOutcome int

const (
	// Restored: the value moved to its destination (Restore).
	Restored QuarantineOutcome = iota
	// Dropped: the quarantine key was deleted (Drop).
	Dropped
	// NotQuarantine: the key is not in the quarantine scope, or the
	// explicit destination is.
	NotQuarantine
	// NotFound: the quarantine key is not stored.
	NotFound
	// NoDestination: no explicit destination, and the key's original
	// legacy key does not parse or maps to no scope.
	NoDestination
	// DestinationTaken: the explicit destination holds a different value.
	DestinationTaken
	// Ambiguous: the key is the original key of values in several
	// quarantine slots; the caller must name one.
	Ambiguous
)

func (o QuarantineOutcome) String() string {
	switch o {
	case Restored:
		return "restored"
	case Dropped:
		return "dropped"
	case NotQuarantine:
		return "not a quarantine key"
	case NotFound:
		return "not found"
	case NoDestination:
		return "no destination"
	case DestinationTaken:
		return "destination taken"
	case Ambiguous:
		return "ambiguous"
	}
	return "QuarantineOutcome(" + strconv.Itoa(int(o)) + ")"
}

// Wrote reports whether the operation changed the store.
func (o QuarantineOutcome) Wrote() bool { return o == Restored || o == Dropped }

// IsQuarantine reports whether key is in the quarantine scope.
func IsQuarantine(key string) bool {
	scope, _, ok := parseScoped(key)
	return ok && scope == QuarantineScope
}

// QuarantineKey is slot n (from 1) of legacy key k (see quarantineKey).
func QuarantineKey(k string, n int) string { return quarantineKey(k, n) }

// parseQuarantine inverts quarantineKey: the legacy key and slot of q; ok
// is false for a key quarantineKey never returns (outside the scope, an
// empty original, a lone "#" not followed by a slot number >= 2 written
// without leading zeros).
func parseQuarantine(q string) (k string, n int, ok bool) {
	rest, found := strings.CutPrefix(q, scopedKey(QuarantineScope, ""))
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
		v, err := strconv.Atoi(slot)
		if err != nil || v < 2 || slot != strconv.Itoa(v) {
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

// ResolveQuarantine returns the quarantine key key names in s: key itself
// when it is in the quarantine scope; otherwise key is read as the original
// (legacy) key of quarantined values, as `scopemig legacy list` shows it,
// and names the one slot of s that holds a value of it. ok is Restored
// when it names one; NotQuarantine when it names none (or is empty),
// Ambiguous when several slots hold values of it.
func ResolveQuarantine(s State, key string) (string, QuarantineOutcome) {
	if IsQuarantine(key) {
		return key, Restored
	}
	var slots []string
	for q := range s.Secrets {
		if orig, _, ok := parseQuarantine(q); ok && orig == key && key != "" {
			slots = append(slots, q)
		}
	}
	switch len(slots) {
	case 0:
		return "", NotQuarantine
	case 1:
		return slots[0], Restored
	}
	return "", Ambiguous
}

// RestoreDestination returns where Restore(s, key, as) puts the value: as
// when non-empty, else the scoped key key's original legacy key migrates
// to ("" when there is none).
func RestoreDestination(key, as string) string {
	if as != "" {
		return as
	}
	orig, _, ok := parseQuarantine(key)
	if !ok {
		return ""
	}
	t, _ := legacyTarget(orig)
	return t
}

// Restore returns the state after `legacy restore key [--as as]` on s: the
// value of the quarantine key key names (ResolveQuarantine) moves to its
// destination (RestoreDestination) and that key is deleted. When the destination holds a different value: with
// no explicit destination, that value is quarantined under the first slot
// of the same original key that is free or already holds it (chosen
// before key is deleted, so never key itself); with an explicit one,
// nothing changes (DestinationTaken). Any outcome but Restored leaves s
// as it is. The flag and the config are untouched. s is not modified.
func (m Model) Restore(s State, key, as string) (State, QuarantineOutcome) {
	if key == "" || (as != "" && IsQuarantine(as)) {
		return s.Clone(), NotQuarantine
	}
	key, o := ResolveQuarantine(s, key)
	if o != Restored {
		return s.Clone(), o
	}
	v, ok := s.Secrets[key]
	if !ok {
		return s.Clone(), NotFound
	}
	dest := RestoreDestination(key, as)
	if dest == "" {
		return s.Clone(), NoDestination
	}
	out := s.Clone()
	cur, had := out.Secrets[dest]
	if had && cur != v {
		if as != "" {
			return out, DestinationTaken
		}
		orig, _, _ := parseQuarantine(key) // dest != "": it parses
		out.Secrets[m.QuarantineSlot(out, orig, cur)] = cur
	}
	delete(out.Secrets, key)
	out.Secrets[dest] = v
	return out, Restored
}

// Drop returns the state after `legacy drop key` on s: the quarantine key
// key names (ResolveQuarantine) deleted (NotQuarantine, Ambiguous or
// NotFound, s unchanged, otherwise). s is not modified.
func (m Model) Drop(s State, key string) (State, QuarantineOutcome) {
	out := s.Clone()
	key, o := ResolveQuarantine(s, key)
	if o != Restored {
		return out, o
	}
	if _, ok := out.Secrets[key]; !ok {
		return out, NotFound
	}
	delete(out.Secrets, key)
	return out, Dropped
}
