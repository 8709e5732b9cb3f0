package harness

import (
	"context"

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

var ErrBadSchedule = errBadSchedule

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
