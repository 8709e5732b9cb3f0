package model

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// State is the content of a store: raw keys and the migration flag.
type State struct {
	Secrets  map[string]string `json:"secrets"`
	Migrated bool              `json:"migrated"`
	// Config is the config file; the model's content is its document
	// minus the flag (which is Migrated). The zero value: no file.
	Config Config `json:"config"`
}

// Clone returns a deep copy (a nil map becomes an empty one).
func (s State) Clone() State {
	c := State{Secrets: maps.Clone(s.Secrets), Migrated: s.Migrated, Config: s.Config}
	if c.Secrets == nil {
		c.Secrets = map[string]string{}
	}
	return c
}

// Equal reports whether two states hold the same keys, values, flag and
// config fields (ConfigEqual).
func (s State) Equal(o State) bool {
	return s.Migrated == o.Migrated && maps.Equal(s.Secrets, o.Secrets) && ConfigEqual(s.Config, o.Config)
}

// Keys returns the sorted keys.
func (s State) Keys() []string { return slices.Sorted(maps.Keys(s.Secrets)) }

// String prints keys with value fingerprints, never values.
func (s State) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "{migrated=%v", s.Migrated)
	for _, k := range s.Keys() {
		fmt.Fprintf(&b, " %q=%s", k, fingerprint(s.Secrets[k]))
	}
	b.WriteString("}")
	return b.String()
}

// Policy decides what happens to a legacy value whose target key already
// holds a different value. The zero value is Keep.
type Policy int

const (
	// Keep stores the losing legacy value under the quarantine key.
	Keep Policy = iota
	// Drop discards it (ToolHive v0.47.0's behaviour).
	Drop
)

func (p Policy) String() string {
	switch p {
	case Keep:
		return "keep"
	case Drop:
		return "drop"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// ParsePolicy parses "keep" or "drop".
func ParsePolicy(s string) (Policy, error) {
	switch s {
	case "keep", "":
		return Keep, nil
	case "drop":
		return Drop, nil
	}
	return Keep, fmt.Errorf("unknown conflict policy %q (want keep or drop)", s)
}
