package sysexplore

import (
	"fmt"
	"slices"
)

// Mode is an exploration mode.
type Mode string

// The modes.
const (
	// Process: the real kernel's disk after a SIGKILL of the whole tree on
	// entry to the crash point.
	Process Mode = "process"
	// Power: the recorded ops before the crash point replayed under the
	// persistence model, nothing unsynced persisting.
	Power Mode = "power"
	// PowerPartial: as Power, with a seeded prefix of each inode's unsynced
	// changes persisting.
	PowerPartial Mode = "power-partial"
)

// Modes lists every mode in order.
func Modes() []Mode { return []Mode{Process, Power, PowerPartial} }

// ErrBadMode: an unknown mode name.
var ErrBadMode = fmt.Errorf("unknown mode (want process, power, power-partial or all)")

// ParseModes parses a mode name or "all".
func ParseModes(s string) ([]Mode, error) {
	if s == "all" || s == "" {
		return Modes(), nil
	}
	if slices.Contains(Modes(), Mode(s)) {
		return []Mode{Mode(s)}, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrBadMode, s)
}
