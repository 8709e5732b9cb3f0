package opfaults_test

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/faults/opfaults"
	"github.com/scopemig/scopemig/impl/secrets"
)

// noUpdater hides secrets.Memory's Update.
type noUpdater struct{ secrets.Provider }

func TestProviderPassesThrough(t *testing.T) {
	ctx := context.Background()
	mem := secrets.NewMemory(map[string]string{"a": "1"})
	p := opfaults.NewProvider(mem, nil)
	v, err := p.GetSecret(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, "1", v)
	require.NoError(t, p.SetSecret(ctx, "b", "2"))
	_, err = p.GetSecret(ctx, "zz")
	require.ErrorIs(t, err, secrets.ErrNotFound)
	list, err := p.ListSecrets(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.NoError(t, p.DeleteSecret(ctx, "a"))
	require.NoError(t, p.Update(ctx, func(m map[string]string) error { m["c"] = "3"; return nil }))
	require.NoError(t, p.DeleteSecrets(ctx, []string{"c"}))
	require.Equal(t, mem.Capabilities(), p.Capabilities())
	require.NoError(t, p.Cleanup())
	require.Equal(t, 9, p.Calls())
	want := []faults.OpKind{
		faults.OpGetSecret, faults.OpSetSecret, faults.OpGetSecret, faults.OpListSecrets,
		faults.OpDeleteSecret, faults.OpUpdate, faults.OpDeleteSecrets, faults.OpCapabilities,
		faults.OpCleanup,
	}
	for i, c := range p.Log() {
		require.Equal(t, i, c.Index)
		require.Equal(t, want[i], c.Kind)
	}
	require.Equal(t, "b", p.Log()[1].Path)
}

func TestProviderCrashBeforeAfter(t *testing.T) {
	ctx := context.Background()
	for _, after := range []bool{false, true} {
		mem := secrets.NewMemory(nil)
		p := opfaults.NewProvider(mem, faults.CrashAt{Op: 1, After: after})
		require.NoError(t, p.SetSecret(ctx, "a", "1"))
		err := p.SetSecret(ctx, "b", "2")
		require.ErrorIs(t, err, faults.ErrCrashed)
		require.True(t, p.Crashed())
		_, made := mem.Snapshot()["b"]
		require.Equal(t, after, made, "crash after: %v", after)
		_, err = p.GetSecret(ctx, "a")
		require.ErrorIs(t, err, faults.ErrCrashed)
		require.ErrorIs(t, p.Cleanup(), faults.ErrCrashed)
		require.ErrorIs(t, p.Update(ctx, func(map[string]string) error { return nil }), faults.ErrCrashed)
		require.Equal(t, secrets.Capabilities{}, p.Capabilities())
		require.Equal(t, 2, p.Calls())
		require.NotContains(t, err.Error(), "2", "no value in errors")
	}
}

func TestProviderInjectedError(t *testing.T) {
	ctx := context.Background()
	mem := secrets.NewMemory(map[string]string{"a": "1"})
	inj, err := faults.ParseSchedule("err(op=0,errno=ENOSPC);err(op=2)")
	require.NoError(t, err)
	p := opfaults.NewProvider(mem, inj)
	err = p.DeleteSecret(ctx, "a")
	require.ErrorIs(t, err, faults.ErrInjected)
	require.ErrorIs(t, err, syscall.ENOSPC)
	require.NotErrorIs(t, err, secrets.ErrNotFound)
	require.Equal(t, map[string]string{"a": "1"}, mem.Snapshot(), "not made")
	require.False(t, p.Crashed())
	require.NoError(t, p.DeleteSecret(ctx, "a"))
	_, err = p.ListSecrets(ctx)
	require.ErrorIs(t, err, faults.ErrInjected)
	require.Empty(t, mem.Snapshot())
}

func TestProviderUpdaterShape(t *testing.T) {
	ctx := context.Background()
	withU := opfaults.NewProvider(secrets.NewMemory(nil), nil)
	_, ok := withU.Provider().(secrets.Updater)
	require.True(t, ok)

	without := opfaults.NewProvider(noUpdater{secrets.NewMemory(nil)}, faults.CrashAt{Op: 1})
	view := without.Provider()
	_, ok = view.(secrets.Updater)
	require.False(t, ok, "the view hides Update when the inner provider has none")
	err := without.Update(ctx, func(map[string]string) error { return nil })
	require.ErrorIs(t, err, opfaults.ErrNoUpdater)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	require.Equal(t, 0, without.Calls(), "an unsupported Update is not counted")
	// The view still counts and crashes.
	require.NoError(t, view.SetSecret(ctx, "k", "v"))
	require.ErrorIs(t, view.DeleteSecret(ctx, "k"), faults.ErrCrashed)
	_, err = view.ListSecrets(ctx)
	require.ErrorIs(t, err, faults.ErrCrashed)
}

// Provider calls are faulted by the same predicates as filesystem
// operations: by kind and by key (the Op's Path).
func TestProviderPredicates(t *testing.T) {
	ctx := context.Background()
	mem := secrets.NewMemory(nil)
	inj, err := faults.ParseSchedule(`err(kind=setsecret,path="db-*",errno=EACCES);crash(kind=deletesecrets,mode=process,seed=0,when=after)`)
	require.NoError(t, err)
	p := opfaults.NewProvider(mem, inj)
	require.NoError(t, p.SetSecret(ctx, "web-1", "v1"))
	err = p.SetSecret(ctx, "db-1", "v2")
	require.ErrorIs(t, err, faults.ErrInjected)
	require.ErrorIs(t, err, syscall.EACCES)
	require.NoError(t, p.SetSecret(ctx, "db", "v3"), "the glob does not match")
	require.ErrorIs(t, p.DeleteSecrets(ctx, []string{"web-1"}), faults.ErrCrashed)
	require.Equal(t, map[string]string{"db": "v3"}, mem.Snapshot(), "the crash came after the call was made")
	require.Equal(t, faults.Op{Index: 1, Kind: faults.OpSetSecret, Path: "db-1"}, p.Log()[1])
}
