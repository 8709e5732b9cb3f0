package sim_test

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/internal/sim"
)

type keyA struct{}

type keyB struct{}

// Value builds a key's value once per Shared and keeps keys of different
// types apart, also under concurrent first calls (run with -race); without
// a Shared it is the zero value.
func TestValue(t *testing.T) {
	ctx := sim.NewContext(context.Background(), sim.NewShared())
	var builds sync.Map
	mk := func(name string) func() *string {
		return func() *string {
			_, again := builds.LoadOrStore(name, true)
			assert.False(t, again, "%s built twice", name) // may run on a goroutine: no FailNow
			return &name
		}
	}
	var wg sync.WaitGroup
	got := make([]*string, 8)
	for i := range got {
		wg.Go(func() { got[i] = sim.Value(ctx, keyA{}, mk("a")) })
	}
	wg.Wait()
	for _, p := range got {
		require.Same(t, got[0], p)
	}
	b := sim.Value(ctx, keyB{}, mk("b"))
	require.Equal(t, "b", *b)
	require.Equal(t, "a", *sim.Value(ctx, keyA{}, mk("a-again")))
	// Another Shared shares nothing; no Shared, no value.
	other := sim.NewContext(context.Background(), sim.NewShared())
	require.Equal(t, "fresh", *sim.Value(other, keyA{}, func() *string { v := "fresh"; return &v }))
	require.Nil(t, sim.Value(context.Background(), keyA{}, mk("never")))
}

func TestContexts(t *testing.T) {
	ctx := context.Background()
	require.Nil(t, sim.FromContext(ctx))
	_, ok := sim.DirstoreHooksFrom(ctx)
	require.False(t, ok)
	require.Nil(t, sim.RandFrom(ctx))
	streams := 0
	seeded := sim.WithRand(ctx, func() io.Reader { streams++; return strings.NewReader("nonces") })
	for range 2 {
		b, err := io.ReadAll(sim.RandFrom(seeded))
		require.NoError(t, err)
		require.Equal(t, "nonces", string(b), "a fresh stream per call")
	}
	require.Equal(t, 2, streams)

	s := sim.NewShared()
	calls := 0
	h := sim.DirstoreHooks{Write: func(afero.Fs, string, []byte, os.FileMode) error { calls++; return nil }}
	both := sim.WithDirstoreHooks(sim.NewContext(ctx, s), h)
	require.Same(t, s, sim.FromContext(both))
	got, ok := sim.DirstoreHooksFrom(both)
	require.True(t, ok)
	require.NoError(t, got.Write(nil, "", nil, 0))
	require.Equal(t, 1, calls)
	require.Nil(t, got.FileName)
}
