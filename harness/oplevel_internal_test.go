package harness

import (
	"context"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/faults/opfaults"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// memTarget is an op-level target over one in-memory service; perKey hides
// its Update.
func memTarget(perKey bool) Target {
	svc := secrets.NewMemory(nil)
	return Target{Name: "mem", OpLevelOnly: true, Open: func(afero.Fs) (secrets.Provider, error) {
		if perKey {
			return struct{ secrets.Provider }{svc}, nil
		}
		return svc, nil
	}}
}

// crashState seeds s0, runs the migration under inj and returns what a
// restart sees.
func crashState(t *testing.T, e *env, s0 model.State, inj faults.Injector) (model.State, opOutcome) {
	t.Helper()
	d, err := e.seed(s0)
	require.NoError(t, err)
	out := e.opRun(d, inj)
	st, err := e.observe(restartImage(d))
	require.NoError(t, err)
	return st, out
}

// The sweep's pruning is exact: crashing after call k leaves what crashing
// before call k+1 leaves whenever the process made no filesystem
// operation between the two calls, and opCrashPoints keeps every other
// point.
func TestOpCrashPointsPruneOnlyEquivalentPoints(t *testing.T) {
	e := newEnv(context.Background(), memTarget(true))
	s0 := FixtureState()
	_, full := crashState(t, e, s0, nil)
	require.Greater(t, full.calls, 20, "the per-key Runner makes many calls on the fixture")
	require.Len(t, full.at, full.calls)
	pts := opCrashPoints(full)
	kept := map[string]bool{}
	for _, p := range pts {
		kept[p.String()] = true
	}
	pruned := 0
	for k := 0; k < full.calls; k++ {
		before := faults.CrashAt{Op: k}
		after := faults.CrashAt{Op: k, After: true}
		require.True(t, kept[before.String()], "%s must be swept", before)
		if kept[after.String()] {
			continue
		}
		pruned++
		got, out := crashState(t, e, s0, after)
		require.True(t, out.crashed)
		next, _ := crashState(t, e, s0, faults.CrashAt{Op: k + 1})
		require.Empty(t, model.Diff(next, got), "%s pruned but differs from crashing before call %d", after, k+1)
	}
	require.Positive(t, pruned)
	require.True(t, kept[faults.CrashAt{Op: full.calls - 1, After: true}.String()], "after the last call is always swept")
}

// The flag's disk crashes with the provider's process: a flag write after
// the crash fails, and the crashing call is recorded.
func TestLinkedCrashTakesTheFlagDiskDown(t *testing.T) {
	d, err := newDisk()
	require.NoError(t, err)
	proc := faults.NewFS(d, nil)
	link := &linkedCrash{inj: faults.CrashAt{Op: 1, After: true}, proc: proc}
	w := opfaults.NewProvider(secrets.NewMemory(nil), link)
	ctx := context.Background()
	require.NoError(t, w.SetSecret(ctx, "a", "value-a-123456"))
	require.NoError(t, MarkMigrated(proc), "the process is alive before the crash")
	opsBefore := proc.Ops()
	require.Positive(t, opsBefore)
	require.ErrorIs(t, w.SetSecret(ctx, "b", "value-b-123456"), faults.ErrCrashed)
	require.True(t, proc.Crashed(), "the crash after call 1 took the filesystem down")
	require.ErrorIs(t, afero.WriteFile(proc, ConfigDir+"/other", []byte("x"), 0o600), faults.ErrCrashed)
	require.Equal(t, []int{0, opsBefore}, link.at, "filesystem operations made before each call")
	require.NoError(t, afero.WriteFile(faults.NewFS(d, nil), ConfigDir+"/other", []byte("x"), 0o600), "a new process can write")
	require.Equal(t, "crash(op=1,mode=process,seed=0,when=after)", link.String())
}

// resetExternal brings a store to exactly the wanted content from any
// content, through the per-key path and through Update, and refuses a
// store that does not delete.
func TestResetExternal(t *testing.T) {
	ctx := context.Background()
	want := map[string]string{"keep": "same-value-1234", "change": "new-value-12345", "add": "added-value-123"}
	for _, perKey := range []bool{true, false} {
		svc := secrets.NewMemory(map[string]string{"keep": "same-value-1234", "change": "old-value-12345", "drop": "x"})
		var p secrets.Provider = svc
		if perKey {
			p = struct{ secrets.Provider }{svc}
		}
		require.NoError(t, resetExternal(ctx, p, want))
		require.Equal(t, want, svc.Snapshot())
	}
	stuck := noDelete{secrets.NewMemory(map[string]string{"drop": "stays-forever-1"})}
	err := resetExternal(ctx, stuck, want)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "stays-forever-1", "values never appear in errors")
}

// noDelete is a store whose deletes do nothing.
type noDelete struct{ secrets.Provider }

func (noDelete) DeleteSecrets(context.Context, []string) error { return nil }

// Verify reports an op-level store that cannot be reset as a violation,
// without panicking.
func TestVerifyOpLevelUnresettableStore(t *testing.T) {
	svc := secrets.NewMemory(map[string]string{"drop": "stays-forever-1"})
	tg := Target{Name: "stuck", OpLevelOnly: true, Open: func(afero.Fs) (secrets.Provider, error) { return noDelete{svc}, nil }}
	rep, err := Verify(context.Background(), tg, Config{Seed: 2, Checks: 2, Stores: 1, StopAtFirst: true})
	require.NoError(t, err)
	require.NotEmpty(t, rep.Violations)
	require.Equal(t, model.I7, rep.Violations[0].Invariant)
	require.Contains(t, rep.Violations[0].Detail, "reset")
}
