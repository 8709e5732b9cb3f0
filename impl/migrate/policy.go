package migrate

import "fmt"

// Policy decides what happens to a legacy value whose target key already
// holds a different value. The zero value is Keep.
//
// *Policy implements pflag.Value (String, Set, Type) so a CLI can bind it
// directly.
type Policy int

const (
	// Keep stores the losing legacy value under a quarantine key
	// (__thv_legacy_<key>, then #2, #3, …). The default.
	Keep Policy = iota
	// Drop discards the losing legacy value, as ToolHive v0.47.0 does.
	Drop
)

// String returns "keep" or "drop".
func (p Policy) String() string {
	switch p {
	case Keep:
		return "keep"
	case Drop:
		return "drop"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// ParsePolicy parses "keep" or "drop"; anything else is an error wrapping
// ErrUnknownPolicy.
func ParsePolicy(s string) (Policy, error) {
	switch s {
	case "keep":
		return Keep, nil
	case "drop":
		return Drop, nil
	}
	return Keep, fmt.Errorf("%w %q (want keep or drop)", ErrUnknownPolicy, s)
}

// Set implements pflag.Value.
func (p *Policy) Set(s string) error {
	v, err := ParsePolicy(s)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Type implements pflag.Value.
func (*Policy) Type() string { return "keep|drop" }

// MarshalText implements encoding.TextMarshaler.
func (p Policy) MarshalText() ([]byte, error) {
	if p != Keep && p != Drop {
		return nil, fmt.Errorf("%w: %d", ErrUnknownPolicy, int(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Policy) UnmarshalText(b []byte) error { return p.Set(string(b)) }
