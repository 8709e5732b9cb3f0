package harness_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
	"github.com/scopemig/scopemig/model"
)

// The mutant suite is run here, beside the harness, so that its minimal
// counterexamples can be replayed as data (Case and Recheck are internal
// to the harness; export_test.go names them for these tests).

// requireOneMinimal replays the neighbours of a mutant's counterexample
// with Recheck (export_test.go), on fresh disks: the case itself still violates
// the invariant it was caught with; removing any one key of its store, or
// moving any crash (or error) point of any run to any earlier operation,
// makes that violation disappear. A state-machine counterexample (rapid
// steps) loses its violation without any one step; a concurrency schedule
// without any one client call or context switch. Conformance's semantic
// steps (a fixed script) are only logged here (minimal_steps_test.go
// checks those mutants' state-machine counterexamples).
func requireOneMinimal(t *testing.T, m mutants.Mutant, res mutants.Result) bool {
	t.Helper()
	ctx := context.Background()
	var c0 *harness.Case
	if res.Violation != nil {
		c0 = harness.CaseOf(*res.Violation)
	}
	if c0 == nil && res.Violation != nil && harness.MachineCaseOf(*res.Violation) != nil {
		mc := *harness.MachineCaseOf(*res.Violation)
		violates := func(c harness.MachineCase) bool {
			vs, err := harness.RecheckMachine(ctx, m.Target, c)
			require.NoError(t, err)
			return slices.ContainsFunc(vs, func(v model.Violation) bool { return v.ID == res.Invariant })
		}
		require.True(t, violates(mc), "the state-machine counterexample does not replay")
		for i := range mc.Len() {
			require.False(t, violates(mc.Without(i)), "still violates %s without step %d: not 1-minimal", res.Invariant, i+1)
		}
		t.Logf("%s: 1-minimal steps (%d neighbours replayed)", m.Name, mc.Len())
		return true
	}
	if c0 == nil && res.Violation != nil && harness.ScheduleOf(*res.Violation) != "" {
		s := harness.ScheduleOf(*res.Violation)
		ns, err := harness.ScheduleNeighbours(s)
		require.NoError(t, err)
		for _, n := range ns {
			g, err := harness.ReplayConcurrency(ctx, m.Target, n)
			require.NoError(t, err)
			require.False(t, g != nil && g.Violation.Invariant == res.Invariant, "%s still fails with %s: %s is not 1-minimal", n, res.Invariant, s)
		}
		t.Logf("%s: 1-minimal schedule (%d neighbours replayed)", m.Name, len(ns))
		return true
	}
	if c0 == nil {
		t.Logf("%s: the %s phase's counterexample is not a store and crash points, steps or a schedule; not rechecked", m.Name, res.Phase)
		return false
	}
	violates := func(c harness.Case) bool {
		vs, err := harness.Recheck(ctx, m.Target, c)
		require.NoError(t, err)
		return slices.ContainsFunc(vs, func(v model.Violation) bool { return v.ID == res.Invariant })
	}
	require.True(t, violates(*c0), "the counterexample does not replay")
	clone := func() harness.Case {
		c := *c0
		c.Store = c.Store.Clone()
		c.Crashes = slices.Clone(c.Crashes)
		if c.Error != nil {
			e := *c.Error
			c.Error = &e
		}
		return c
	}
	checked := 0
	for _, k := range slices.Sorted(maps.Keys(c0.Store.Secrets)) {
		c := clone()
		delete(c.Store.Secrets, k)
		require.False(t, violates(c), "still violates %s without key %q: not 1-minimal", res.Invariant, k)
		checked++
	}
	for i, inj := range c0.Crashes {
		for op := range inj.Op {
			c := clone()
			c.Crashes[i].Op = op
			require.False(t, violates(c), "still violates %s with run %d crashed at op %d < %d: not 1-minimal", res.Invariant, i+1, op, inj.Op)
			checked++
		}
	}
	if e := c0.Error; e != nil {
		for op := range e.Op {
			c := clone()
			c.Error.Op = op
			require.False(t, violates(c), "still violates %s with the error at op %d < %d: not 1-minimal", res.Invariant, op, e.Op)
			checked++
		}
	}
	t.Logf("%s: 1-minimal (%d neighbours replayed)", m.Name, checked)
	return true
}

// Every mutant is caught with one of its expected invariants and a
// counterexample that names steps, never values.
func TestEveryMutantIsCaught(t *testing.T) {
	suite := mutants.Suite()
	require.GreaterOrEqual(t, len(suite), 8)
	rechecked := 0
	for _, m := range suite {
		t.Run(m.Name, func(t *testing.T) {
			cfg := harness.Config{Seed: 1}
			if testing.Short() { // make race
				cfg.Checks, cfg.Stores, cfg.Depth = 20, 6, 1
				if m.Name == "restore-delete-first" {
					// Only the state machine meets it, and rapid runs a
					// fifth of its checks under -short: five times the
					// default gives it the default's 40.
					cfg.Checks = 200
				}
			}
			res := mutants.Check(context.Background(), m, cfg)
			require.True(t, res.Caught, "%s escaped: first violation %q, want one of %s", m.Name, res.Invariant, res.Expect)
			require.NotEmpty(t, res.Counterexample)
			require.Contains(t, res.Replay, `harness.Verify(ctx, target "mutant:`+m.Name+`"`)
			t.Logf("%s caught by %s in %s: %d keys, crash points %v, %d counterexample lines", m.Name, res.Invariant, res.Phase, res.Keys, res.CrashPoints, res.CounterexampleSize)
			if requireOneMinimal(t, m, res) {
				rechecked++
			}
		})
	}
	require.Positive(t, rechecked, "no counterexample was a store and crash points: nothing rechecked")
}
