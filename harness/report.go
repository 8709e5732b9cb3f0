package harness

import (
	"fmt"
	"strings"

	"github.com/scopemig/scopemig/model"
)

// Violation is one broken invariant found by Verify.
type Violation struct {
	// Invariant is the id (I1–I9) and Name its short name.
	Invariant model.InvariantID `json:"invariant"`
	Name      string            `json:"name"`
	// Phase is the Verify phase that found it.
	Phase string `json:"phase"`
	// Detail says what differs, with fingerprints instead of values.
	Detail string `json:"detail"`
	// Counterexample is the minimal failing case, one line per step
	// (initial store, operations, crash schedule), values as fingerprints.
	Counterexample []string `json:"counterexample"`
	// Replay is a one-line command that reproduces the failure.
	Replay string `json:"replay"`
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s [%s]: %s\n", v.Invariant, v.Name, v.Phase, v.Detail)
	for _, l := range v.Counterexample {
		fmt.Fprintf(&b, "    %s\n", l)
	}
	fmt.Fprintf(&b, "  replay: %s", v.Replay)
	return b.String()
}

// Phase is the figure of one Verify phase.
type Phase struct {
	Name        string  `json:"name"`
	Cases       int     `json:"cases"`
	CrashStates int     `json:"crash_states"`
	Seconds     float64 `json:"seconds"`
	Violations  int     `json:"violations"`
}

// Report is the result of Verify.
type Report struct {
	Target      string      `json:"target"`
	Seed        uint64      `json:"seed"`
	Cases       int         `json:"cases"`
	CrashStates int         `json:"crash_states"`
	Seconds     float64     `json:"seconds"`
	Phases      []Phase     `json:"phases"`
	Violations  []Violation `json:"violations"`
}

// OK reports whether no violation was found.
func (r Report) OK() bool { return len(r.Violations) == 0 }

// StatesPerSecond is CrashStates / Seconds.
func (r Report) StatesPerSecond() float64 {
	if r.Seconds <= 0 {
		return 0
	}
	return float64(r.CrashStates) / r.Seconds
}

// Caught returns the distinct invariant ids of the violations, in order of
// first appearance.
func (r Report) Caught() []model.InvariantID {
	var out []model.InvariantID
	seen := map[model.InvariantID]bool{}
	for _, v := range r.Violations {
		if !seen[v.Invariant] {
			seen[v.Invariant] = true
			out = append(out, v.Invariant)
		}
	}
	return out
}
