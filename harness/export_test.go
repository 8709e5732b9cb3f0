package harness

import (
	"context"
	"fmt"
	"strings"

	"github.com/scopemig/scopemig/harness/internal/sched"
	"github.com/scopemig/scopemig/model"
)

// Test-only names for the external tests (package harness_test), which
// import the mutant suite (itself an importer of harness, so those tests
// cannot live in package harness). None of this is part of the API.

// Concurrency scenarios, cases and replays.
const (
	ScenarioRefresh  = scenarioRefresh
	ScenarioToolHive = scenarioToolHive
)

type ConcurrencyFailure = concurrencyFailure

func ConcurrencyScenarios() []string { return concurrencyScenarios() }

func CheckConcurrency(ctx context.Context, t Target, scenario string, seed uint64) (*ConcurrencyFailure, error) {
	return checkConcurrency(ctx, t, scenario, seed)
}

func ReplayConcurrency(ctx context.Context, t Target, schedule string) (*ConcurrencyFailure, error) {
	return replayConcurrency(ctx, t, schedule)
}

var ErrBadSchedule = sched.ErrBadSchedule

// Kinds of Inconclusive.
const (
	InconclusiveTargetError = inconclusiveTargetError
	InconclusiveCancelled   = inconclusiveCancelled
)

// A counterexample as data, and its replay on fresh disks.
type Case = failCase

// CaseOf returns v's counterexample as data (nil when it is not a store
// and faulty runs).
func CaseOf(v Violation) *Case { return v.c }

func Recheck(ctx context.Context, t Target, c Case) ([]model.Violation, error) {
	return recheck(ctx, t, c)
}

// SoakCase is a soak case as drawn.
type SoakCase = soakCase

// DescribeCase returns case index of a soak as drawn, without its faults.
func DescribeCase(ctx context.Context, t Target, cfg SoakConfig, index int) (soakCase, error) {
	return describeCase(ctx, t, cfg, index)
}

// A state-machine counterexample as data, and its replay without rapid.
type MachineCase = machineCase

// MachineCaseOf returns v's counterexample as state-machine steps (nil
// when it is not one).
func MachineCaseOf(v Violation) *MachineCase { return v.mc }

// Len is the number of steps; Without drops step i.
func (c machineCase) Len() int                  { return len(c.Steps) }
func (c machineCase) Without(i int) machineCase { return c.without(i) }

// RecheckMachine replays c on target t from scratch: the violations of its
// first failing step, none when it passes.
func RecheckMachine(ctx context.Context, t Target, c MachineCase) ([]model.Violation, error) {
	sw := &sweeper{e: newEnv(ctx, t)}
	f := sw.replayMachine(c)
	if f == nil {
		return nil, nil
	}
	if len(f.vs) == 0 {
		return nil, fmt.Errorf("%s: %s", f.incKind, f.incDetail)
	}
	return f.vs, nil
}

// ScheduleOf returns the concurrency schedule a concurrency-phase
// violation prints ("" when it has none).
func ScheduleOf(v Violation) string {
	for _, l := range v.Counterexample {
		if _, s, ok := strings.Cut(l, "schedule "); ok {
			return strings.Fields(s)[0]
		}
	}
	return ""
}

// ScheduleNeighbours returns the schedules one step smaller than s: one
// more client call dropped, or one context switch removed (the choice
// that switched made to keep running the process before it).
func ScheduleNeighbours(s string) ([]string, error) {
	cs, err := parseConcSchedule(s)
	if err != nil {
		return nil, err
	}
	c, err := genCase(cs.scenario, cs.seed)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range cs.neighbours(len(c.opIndex())) {
		out = append(out, n.String())
	}
	return out, nil
}
