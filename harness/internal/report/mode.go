package report

import (
	"errors"

	"github.com/scopemig/scopemig/faults"
)

// ErrBadConfig reports a configuration that cannot be run (an
// exploration without a command, an unknown or inapplicable crash mode,
// a SoakConfig outside its bounds, an artifact that does not parse).
var ErrBadConfig = errors.New("bad config")

// ModeReport is the figure of one crash mode of an exploration.
type ModeReport struct {
	Mode faults.Mode `json:"mode"` // printed by name
	// FS is the persistence model a power mode of the syscall explorer
	// was run under (strict, ext4-ordered); "" elsewhere.
	FS string `json:"fs,omitempty"`
	// States is the number of crash states explored (the syscall
	// explorer: crash points; power-partial: points x draws).
	States int `json:"states"`
	// Images is the number of crash states whose image was checked afresh
	// (the others had the same content as one already checked in the same
	// exploration, in this mode or an earlier one).
	Images int `json:"distinct_images"`
	// Runs is the number of runs of the migration (the syscall explorer:
	// of the command, traced runs and restarts).
	Runs         int     `json:"runs"`
	Seconds      float64 `json:"seconds"`
	StatesPerSec float64 `json:"states_per_second"`
	// Violation and Counterexample: the first violation of a mode that
	// stops at it (harness.Explore); the syscall explorer lists its
	// violations in its Report instead.
	Violation      string   `json:"violation,omitempty"`
	Counterexample []string `json:"counterexample,omitempty"`
	// Points, Distinct and PointsPerSec are States, Images and
	// StatesPerSec under the names the syscall explorer's JSON report
	// gave them first, kept for its readers (Rate sets them).
	Points       int     `json:"points"`
	Distinct     int     `json:"distinct"`
	PointsPerSec float64 `json:"points_per_second"`
}

// Rate sets StatesPerSec from States and Seconds, and the old names
// (Points, Distinct, PointsPerSec) from the figures: call it last.
func (m *ModeReport) Rate() {
	if m.Seconds > 0 {
		m.StatesPerSec = float64(m.States) / m.Seconds
	}
	m.Points, m.Distinct, m.PointsPerSec = m.States, m.Images, m.StatesPerSec
}
