package harness

import (
	"context"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
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
// restart sees and the run's operation count.
func crashState(t *testing.T, e *env, s0 model.State, inj faults.Injector) (model.State, int) {
	t.Helper()
	d, err := e.seed(s0)
	require.NoError(t, err)
	n, _ := e.run(d, inj)
	st, err := e.observe(image(d, faults.Process, 0))
	require.NoError(t, err)
	return st, n
}

// The op-level clock numbers provider calls and filesystem operations as
// one sequence, so the engine's crash points (before each operation) are
// the op-level ones: crashing after operation k (a call made, its result
// lost) leaves what crashing before operation k+1 leaves, and crashing
// after the last one what a complete run leaves.
func TestOpClockCrashAfterIsCrashBeforeNext(t *testing.T) {
	e := newEnv(context.Background(), memTarget(true))
	s0 := fixture.FixtureState()
	done, n := crashState(t, e, s0, nil)
	require.Greater(t, n, 20, "the per-key Runner makes many calls on the fixture")
	for k := 0; k < n; k++ {
		after, _ := crashState(t, e, s0, faults.CrashAt{Op: k, After: true})
		next := done
		if k+1 < n {
			next, _ = crashState(t, e, s0, faults.CrashAt{Op: k + 1})
		}
		require.Empty(t, model.Diff(next, after), "crash after op %d differs from crash before op %d", k, k+1)
	}
}

// One op-level process: its provider calls and its filesystem operations
// share one numbering, and a crash at a call takes the flag's disk down.
func TestOpClockLinksCallsAndFlagDisk(t *testing.T) {
	ctx := context.Background()
	e := newEnv(ctx, memTarget(false))
	d, err := e.emptyDisk()
	require.NoError(t, err)
	inj := faults.On(faults.All(faults.OfKind(faults.OpSetSecret), faults.PathGlob("b")), faults.Action{Kind: faults.Crash, After: true})
	pr, err := e.open(d, inj)
	require.NoError(t, err)
	require.NoError(t, pr.p.SetSecret(ctx, "a", "value-a-123456"))
	require.NoError(t, MarkMigrated(pr.fs), "the process is alive before the crash")
	fsOps := pr.fs.Ops()
	require.Positive(t, fsOps)
	require.Equal(t, 1+fsOps, pr.ops(), "one call, then the flag's operations")
	require.ErrorIs(t, pr.p.SetSecret(ctx, "b", "value-b-123456"), faults.ErrCrashed)
	require.True(t, pr.crashed(), "the crash at a call took the filesystem down")
	require.ErrorIs(t, afero.WriteFile(pr.fs, fixture.ConfigDir+"/other", []byte("x"), 0o600), faults.ErrCrashed)
	require.Equal(t, 2+fsOps, pr.ops())
	syncs := 0
	for _, op := range pr.fs.Log() {
		if op.Kind == faults.OpSync {
			syncs++
		}
	}
	require.Positive(t, syncs, "the flag's write syncs")
	require.Equal(t, 2+fsOps-syncs, pr.writes(), "both calls and every filesystem operation but a sync write")
	e.b.settle(ctx, d)
	st, err := e.observe(d)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a": "value-a-123456", "b": "value-b-123456"}, st.Secrets, "the call was made before the crash")
	require.True(t, st.Migrated)
}

// A disk's record of an op-level store round-trips every key and value
// byte for byte, and each process starts from the record of its disk.
func TestOpStoreRecord(t *testing.T) {
	ctx := context.Background()
	e := newEnv(ctx, memTarget(false))
	want := map[string]string{"": "", "a b": "line1\nline2", "ü": "\x00\xff", strings.Repeat("k", 300): strings.Repeat("v", 70000)}
	d, err := e.seed(model.State{Secrets: want})
	require.NoError(t, err)
	got, ok, err := readOpStore(d)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, want, got)
	other, err := e.seed(model.State{Secrets: map[string]string{"x": "other-value-1234"}})
	require.NoError(t, err)
	st, err := e.observe(d)
	require.NoError(t, err)
	require.Equal(t, want, st.Secrets, "observing d resets the store from d's record")
	st, err = e.observe(other)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"x": "other-value-1234"}, st.Secrets)
	require.NoError(t, afero.WriteFile(d, opStoreFile, []byte{0xff}, 0o600))
	_, _, err = readOpStore(d)
	require.ErrorIs(t, err, errOpStore)
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
