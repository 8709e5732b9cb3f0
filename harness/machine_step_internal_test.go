package harness

import (
	"context"
	"slices"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// deleteThenSet restores by deleting the quarantine key, then writing the
// destination: a crash in between loses the value.
func deleteThenSet(ctx context.Context, _ afero.Fs, p secrets.Provider, key, as string) error {
	v, err := p.GetSecret(ctx, key)
	if err != nil {
		return err
	}
	if err := p.DeleteSecret(ctx, key); err != nil {
		return err
	}
	return p.SetSecret(ctx, model.RestoreDestination(key, as), v)
}

// A state-machine case with a step that does not matter is not 1-minimal
// (dropping that step still fails), and minimizeMachine drops it: the
// broken variant of a shrink the 1-minimality test of the mutants'
// state-machine counterexamples catches.
func TestMinimizeMachineDropsRedundantSteps(t *testing.T) {
	target := Targets()[0]
	target.Name, target.Restore = "delete-then-set", deleteThenSet
	sw := &sweeper{e: newEnv(context.Background(), target)}
	q := model.QuarantineKey("BEARER_TOKEN_a", 1)
	minimal := machineCase{Steps: []mstep{
		{Kind: stepQuarantineSet, Key: q, Val: 3},
		{Kind: stepRestore, Key: q, Crashes: []faults.CrashAt{{Op: 6, Mode: faults.Process}}},
	}}
	padded := minimal.clone()
	padded.Steps = slices.Insert(padded.Steps, 0, mstep{Kind: stepScopedGet, Scope: "auth", Key: "x"}, mstep{Kind: stepUserSet, Key: "u", Val: 1})
	fails := func(c machineCase) bool {
		f := sw.replayMachine(c)
		return f != nil && slices.ContainsFunc(f.vs, func(v model.Violation) bool { return v.ID == model.I2 })
	}
	require.True(t, fails(minimal))
	require.True(t, fails(padded))
	require.True(t, fails(padded.without(0)), "the padded case is not 1-minimal: the check sees it")
	for i := range minimal.Steps {
		require.False(t, fails(minimal.without(i)), "step %d of the minimal case can go", i)
	}
	got := sw.minimizeMachine(sw.replayMachine(padded))
	require.NotNil(t, got.mc)
	require.Equal(t, minimal.Steps, got.mc.Steps)
	// the correct restore passes the same steps
	sw = &sweeper{e: newEnv(context.Background(), Targets()[0])}
	require.Nil(t, sw.replayMachine(padded))
}
