package encfile

import (
	"context"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/internal/sim"
)

// The cache holds at most its capacity, dropping the oldest entry first,
// and keeps keys apart.
func TestCacheBoundAndKeys(t *testing.T) {
	c := newCache(2)
	k1, k2 := KeyFromPassword([]byte("one")), KeyFromPassword([]byte("two"))
	t1, err := c.table(k1)
	require.NoError(t, err)
	again, err := c.table(k1)
	require.NoError(t, err)
	require.Same(t, t1, again)
	t2, err := c.table(k2)
	require.NoError(t, err)

	t1.put("file-a", newContents(map[string]string{"a": "1"}))
	t2.put("file-a", newContents(map[string]string{"a": "2"}))
	_, m, ok := t1.get([]byte("file-a"))
	require.True(t, ok)
	require.Equal(t, "1", m.m["a"])
	_, m, ok = t2.get([]byte("file-a"))
	require.True(t, ok)
	require.Equal(t, "2", m.m["a"])

	t1.put("file-b", newContents(map[string]string{"b": "1"})) // evicts t1's file-a, the oldest
	_, _, ok = t1.get([]byte("file-a"))
	require.False(t, ok)
	_, _, ok = t2.get([]byte("file-a"))
	require.True(t, ok)
	_, _, ok = t1.get([]byte("file-b"))
	require.True(t, ok)
	require.Equal(t, 2, c.files.Len())
}

// A Store opened with a sim.Shared decrypts each distinct file once: a
// second Open of the same bytes takes the content from the shared cache
// (here planted, to show it), and one changed byte is another file. A
// Store opened without one has no cache.
func TestCacheDecodesOnce(t *testing.T) {
	const path = "/d/secrets"
	ctx := context.Background()
	pw := []byte("pw")
	fsys := fslock.WithLocker(afero.NewMemMapFs())
	w, err := Open(fsys, path, pw)
	require.NoError(t, err)
	require.NoError(t, w.SetSecret(ctx, "k", "value-of-k-123"))

	plain, err := Open(fsys, path, pw)
	require.NoError(t, err)
	require.Nil(t, plain.cache)
	simctx := sim.NewContext(ctx, sim.NewShared())
	a, err := OpenContext(simctx, fsys, path, pw)
	require.NoError(t, err)
	tab := a.cache
	require.NotNil(t, tab)
	c := tab.c
	require.Same(t, c, sharedCache(simctx), "one cache per sim.Shared")
	require.Equal(t, 1, c.files.Len())
	data, err := afero.ReadFile(fsys, path)
	require.NoError(t, err)
	tab.put(string(data), nil) // no-op: already cached
	_, cached, ok := tab.get(data)
	require.True(t, ok)
	require.NotNil(t, cached)
	c.files.Upsert(fileKey{tab.key, string(data)}, func(e cacheEntry, ok bool) cacheEntry {
		require.True(t, ok)
		e.c = newContents(map[string]string{"planted": "x"})
		return e
	})
	b, err := OpenContext(simctx, fsys, path, pw)
	require.NoError(t, err)
	got, err := b.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"planted": "x"}, got)

	flipped := append([]byte(nil), data...)
	flipped[len(flipped)-1] ^= 1
	require.NoError(t, afero.WriteFile(fsys, path, flipped, 0o600))
	_, err = OpenContext(simctx, fsys, path, pw)
	require.ErrorIs(t, err, ErrDecrypt)
}
