package faults

import "fmt"

// Mode says what survives a crash (see the package documentation).
type Mode uint8

// The crash modes. The zero value is Process.
const (
	// Process: the process died; every completed operation persists.
	Process Mode = iota
	// Torn: like Process, and the crashing write persisted partially.
	Torn
	// Power: only synced data and durable directory entries persist.
	Power
	// PowerPartial: a seeded prefix of the unsynced changes of each inode
	// persists.
	PowerPartial
)

// Modes lists every mode, in order.
func Modes() []Mode { return []Mode{Process, Torn, Power, PowerPartial} }

var modeNames = [...]string{
	Process:      "process",
	Torn:         "torn",
	Power:        "power",
	PowerPartial: "power-partial",
}

// String returns the mode's schedule name: process, torn, power or
// power-partial.
func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// ParseMode parses a name printed by Mode.String.
func ParseMode(s string) (Mode, error) {
	for i, n := range modeNames {
		if n == s {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("mode %q: %w", s, ErrSyntax)
}

// MarshalText prints the mode's name (JSON reports carry "process", ...).
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText parses a name printed by MarshalText.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
