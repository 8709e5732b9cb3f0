package harness

import (
	"fmt"
	"strings"

	"github.com/scopemig/scopemig/model"
)

// Violation is one broken invariant found by Verify: an invariant breach
// only (errors of the target or the harness are Inconclusive).
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
	// Replay is one line that reproduces the failure: the Verify call with
	// its seed and sizing. Seed and the Config's sizing are the data; a
	// command-line tool rewrites the line in its own terms (`scopemig verify`
	// does, for the targets it names).
	Replay string `json:"replay"`
	// Keys and CrashPoints are the size of the counterexample: the keys of
	// its initial store and the crash (or error) points of its schedule,
	// each the operation index of one faulty run (empty when the case has
	// none).
	Keys        int   `json:"keys"`
	CrashPoints []int `json:"crash_points"`
	// c is the counterexample as data, when it is a store and faulty runs
	// (it holds values; the mutant suite's tests replay its neighbours).
	c *failCase
	// mc is the counterexample as data when it is state-machine steps.
	mc *machineCase
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s [%s]: %s\n", v.Invariant, v.Name, v.Phase, v.Detail)
	fmt.Fprintf(&b, "  counterexample: %d keys, crash points %v\n", v.Keys, v.CrashPoints)
	for _, l := range v.Counterexample {
		fmt.Fprintf(&b, "    %s\n", l)
	}
	fmt.Fprintf(&b, "  replay: %s", v.Replay)
	return b.String()
}

// Kinds of Inconclusive (Inconclusive.Kind): why a case could not be judged.
const (
	// inconclusiveTargetError: the target returned an error where no fault
	// was injected (an operation of a live process, seeding a store).
	inconclusiveTargetError = "target-error"
	// inconclusivePanic: the target panicked (or failed outside any check).
	inconclusivePanic = "panic"
	// inconclusiveCancelled: the context ended before the phase finished.
	inconclusiveCancelled = "cancelled"
	// inconclusiveTimeout: a checker gave up (porcupine's linearizability
	// check ran out of time), so the case was neither passed nor failed.
	inconclusiveTimeout = "checker-timeout"
)

// Inconclusive is a case Verify could not judge: never an invariant
// breach, never a pass. A report with one is not OK and not a violation.
type Inconclusive struct {
	// Kind says why: "target-error" (the target returned an error where
	// no fault was injected), "panic" (the target panicked or failed
	// outside any check), "cancelled" (ctx ended before the phase
	// finished) or "checker-timeout" (the linearizability check gave up).
	Kind string `json:"kind"`
	// Phase is the Verify phase that met it.
	Phase string `json:"phase"`
	// Detail says what happened, values as fingerprints.
	Detail string `json:"detail"`
	// Counterexample is the case, one line per step (may be empty).
	Counterexample []string `json:"counterexample"`
	// Replay is a one-line command that reruns it.
	Replay string `json:"replay"`
}

func (i Inconclusive) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "inconclusive (%s) [%s]: %s\n", i.Kind, i.Phase, i.Detail)
	for _, l := range i.Counterexample {
		fmt.Fprintf(&b, "    %s\n", l)
	}
	fmt.Fprintf(&b, "  replay: %s", i.Replay)
	return b.String()
}

// Phase is the figure of one Verify phase.
type Phase struct {
	Name        string `json:"name"`
	Cases       int    `json:"cases"`
	CrashStates int    `json:"crash_states"`
	// DistinctImages is the number of crash states whose checks ran:
	// CrashStates minus those whose image (same bytes, same initial
	// state) had already passed in the same shard (Config.NoCache).
	DistinctImages int     `json:"distinct_images"`
	Seconds        float64 `json:"seconds"`
	Violations     int     `json:"violations"`
	// Inconclusive counts the cases of the phase that could not be judged.
	Inconclusive int `json:"inconclusive"`
}

// Report is the result of Verify.
type Report struct {
	Target      string `json:"target"`
	Seed        uint64 `json:"seed"`
	Cases       int    `json:"cases"`
	CrashStates int    `json:"crash_states"`
	// DistinctImages is the sum of the phases' DistinctImages.
	DistinctImages int         `json:"distinct_images"`
	Seconds        float64     `json:"seconds"`
	Phases         []Phase     `json:"phases"`
	Violations     []Violation `json:"violations"`
	// Inconclusive lists what could not be judged (target errors, panics,
	// cancellation, checker timeouts): reported apart, never as a
	// violation.
	Inconclusive []Inconclusive `json:"inconclusive"`
}

// OK reports whether no violation was found and nothing was inconclusive.
func (r Report) OK() bool { return len(r.Violations) == 0 && len(r.Inconclusive) == 0 }

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
