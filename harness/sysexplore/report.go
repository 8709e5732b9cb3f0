package sysexplore

import (
	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/internal/report"
	"github.com/scopemig/scopemig/model"
)

// Violation is one invariant breach at one crash point. Detail and
// Syscall name keys, fingerprints, paths and byte counts, never values.
type Violation struct {
	Invariant model.InvariantID `json:"invariant"`
	Name      string            `json:"name"`
	Mode      faults.Mode       `json:"mode"`
	// FS is the persistence model of a power-mode violation (strict,
	// ext4-ordered); "" in process mode (the real kernel).
	FS FSModel `json:"fs,omitempty"`
	// Verdict, when both models were explored, says where the invariant
	// fails in this mode: "fails on strict POSIX, survives ext4-ordered",
	// "fails on both".
	Verdict string `json:"verdict,omitempty"`
	Point   int    `json:"point"`          // crash point (syscall index); Points+1 = after the complete run
	Seed    uint64 `json:"seed,omitempty"` // power-partial draw
	Syscall string `json:"syscall"`        // the syscall at the crash point (not executed)
	Detail  string `json:"detail"`
	Image   string `json:"image"` // fingerprint of the crash image (what the model sees), for replays
	Replay  string `json:"replay"`
	Count   int    `json:"count"` // crash points of this mode with the same invariant
	// Source is the program line that issued the crash-point syscall,
	// "config.go:212 os.WriteFile" (the first frame in the program's own
	// code and the function it called there), when the binary has
	// symbols; "" otherwise (an interpreter, a stripped binary).
	Source string `json:"source,omitempty"`
	// Stack is the symbolised user stack at the syscall, innermost first.
	Stack []string `json:"stack,omitempty"`
}

// ModeReport is the figure of one mode, the same type as harness's:
// States counts the crash points explored (power modes include point
// N+1; power-partial counts every draw), Images the images checked for
// the first time in the run (an image an earlier mode already checked is
// not counted again), Runs the runs of the command (traced and restarts).
type ModeReport = report.ModeReport

// Report is the result of Explore.
type Report struct {
	Command []string `json:"command"`
	From    string   `json:"from"`
	Policy  string   `json:"policy"`
	Store   string   `json:"store"`    // S0: keys and fingerprints
	Points  int      `json:"points"`   // crash points of the recorded run
	TraceID string   `json:"trace_id"` // fingerprint of the recorded syscalls (names, directories, byte counts)
	Trace   []string `json:"trace"`    // the crash points, described
	// Tracing says how the command was traced: "seccomp" (only the
	// syscalls the recorder follows stop it) or "ptrace (every syscall)"
	// with the reason the filter could not be installed.
	Tracing      string       `json:"tracing"`
	Modes        []ModeReport `json:"modes"`
	Violations   []Violation  `json:"violations"`
	Inconclusive []string     `json:"inconclusive,omitempty"`
	// Cost is what each crash point took, in the order of Modes and
	// points: its wall time on its worker, the runs of the command it
	// made, and whether its image was checked there (false: an identical
	// image's verdict was reused).
	Cost []PointCost `json:"cost"`
	// Diverged counts the process-mode runs that reached their crash
	// point by another path than the recording (a command whose syscalls
	// depend on scheduling); their images are checked all the same.
	Diverged int `json:"diverged"`
}

// PointCost is the cost of one crash point.
type PointCost struct {
	Mode    faults.Mode `json:"mode"`
	Point   int         `json:"point"`
	Seed    uint64      `json:"seed,omitempty"`
	Seconds float64     `json:"seconds"`
	Runs    int         `json:"runs"`
	Checked bool        `json:"checked"`
}

// OK reports whether no violation was found and nothing was inconclusive.
func (r Report) OK() bool { return len(r.Violations) == 0 && len(r.Inconclusive) == 0 }

// Has reports whether a violation of id was found in mode.
func (r Report) Has(id model.InvariantID, mode faults.Mode) (Violation, bool) {
	for _, v := range r.Violations {
		if v.Invariant == id && v.Mode == mode {
			return v, true
		}
	}
	return Violation{}, false
}

// HasIn reports whether a violation of id was found in a power mode under
// the persistence model fsm.
func (r Report) HasIn(id model.InvariantID, mode faults.Mode, fsm FSModel) (Violation, bool) {
	for _, v := range r.Violations {
		if v.Invariant == id && v.Mode == mode && v.FS == fsm {
			return v, true
		}
	}
	return Violation{}, false
}
