package sysexplore

import (
	"fmt"

	"github.com/scopemig/scopemig/faults"
)

// Modes lists the crash modes a real process is explored in, in order:
// faults.Process (a SIGKILL), faults.Power and faults.PowerPartial (from
// the trace). faults.Torn does not apply (a torn write is the kernel's
// business, not the explorer's) and is rejected with ErrBadConfig.
func Modes() []faults.Mode { return []faults.Mode{faults.Process, faults.Power, faults.PowerPartial} }

// checkModes rejects a mode the syscall-level explorer does not have.
func checkModes(ms []faults.Mode) error {
	for _, m := range ms {
		switch m {
		case faults.Process, faults.Power, faults.PowerPartial:
		default:
			return fmt.Errorf("%w: mode %s does not apply to a real process (want process, power or power-partial)", ErrBadConfig, m)
		}
	}
	return nil
}
