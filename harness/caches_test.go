package harness

import (
	"context"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/secrets"
)

// An env lends its caches to a target built with lendCaches, none when
// Config.NoCache is set; a copy of that target whose Open was replaced (as
// the mutants make) opens with its own Open and gets no cache.
func TestCachesLentOnlyToTheBuiltinOpen(t *testing.T) {
	var got []*caches
	cached := func(_ afero.Fs, c *caches) (secrets.Provider, error) {
		got = append(got, c)
		return secrets.NewMemory(nil), nil
	}
	builtin := Target{Name: "b", Open: func(fsys afero.Fs) (secrets.Provider, error) { return cached(fsys, nil) }}.lendCaches(cached)

	on := newEnvCaches(context.Background(), builtin, false)
	require.NotNil(t, on.caches)
	_, err := on.openStore(afero.NewMemMapFs())
	require.NoError(t, err)
	require.Equal(t, []*caches{on.caches}, got, "the env's caches are lent")

	got = nil
	off := newEnvCaches(context.Background(), builtin, true)
	require.Nil(t, off.caches, "NoCache: no decode cache")
	require.Nil(t, off.caches.configCache())
	_, err = off.openStore(afero.NewMemMapFs())
	require.NoError(t, err)
	require.Equal(t, []*caches{nil}, got, "NoCache lends none")

	got = nil
	replaced := builtin
	own := 0
	replaced.Open = func(afero.Fs) (secrets.Provider, error) { own++; return secrets.NewMemory(nil), nil }
	_, err = newEnvCaches(context.Background(), replaced, false).openStore(afero.NewMemMapFs())
	require.NoError(t, err)
	require.Equal(t, 1, own, "a replaced Open is used")
	require.Empty(t, got, "and the built-in open is not")
}

// The built-in targets are built with their caches: the encfile target
// opens with the env's, the dirstore target (no decode cache) with its Open.
func TestBuiltinTargetsLendCaches(t *testing.T) {
	ts := Targets()
	require.NotNil(t, ts[0].cachedOpen)
	require.Nil(t, ts[1].cachedOpen)
	e := newEnvCaches(context.Background(), ts[0], false)
	p, err := e.openStore(afero.NewMemMapFs())
	require.NoError(t, err)
	require.NotNil(t, p)
}
