package encfile

import (
	"context"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/fslock"
)

// The cache holds at most its capacity, dropping the oldest entry first,
// and keeps keys apart.
func TestCacheBoundAndKeys(t *testing.T) {
	c := NewCache(2)
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

// A Store opened WithCache decrypts each distinct file once: a second
// Open of the same bytes takes the content from the shared cache (here
// planted, to show it), and one changed byte is another file. A Store
// opened without one has no cache.
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
	c := NewCache(0)
	a, err := Open(fsys, path, pw, WithCache(c))
	require.NoError(t, err)
	tab := a.cache
	require.NotNil(t, tab)
	require.Same(t, c, tab.c, "the Cache given")
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
	b, err := Open(fsys, path, pw, WithCache(c))
	require.NoError(t, err)
	got, err := b.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"planted": "x"}, got)

	flipped := append([]byte(nil), data...)
	flipped[len(flipped)-1] ^= 1
	require.NoError(t, afero.WriteFile(fsys, path, flipped, 0o600))
	_, err = Open(fsys, path, pw, WithCache(c))
	require.ErrorIs(t, err, ErrDecrypt)
}

// The cache records only bytes a Store decoded, never the bytes it wrote:
// a restarted Store (a new Store on the same Cache) decodes what the
// writer encoded, as a real restart does (a cache filled at write time
// fails the first check).
func TestCacheRecordsOnlyDecodedBytes(t *testing.T) {
	const path = "/d/secrets"
	ctx := context.Background()
	pw := []byte("pw")
	fsys := fslock.WithLocker(afero.NewMemMapFs())
	c := NewCache(0)
	w, err := Open(fsys, path, pw, WithCache(c))
	require.NoError(t, err)
	for _, v := range []string{"value-one-12345", "value-two-12345"} {
		require.NoError(t, w.SetSecret(ctx, "k", v))
		data, err := afero.ReadFile(fsys, path)
		require.NoError(t, err)
		tab, err := c.table(KeyFromPassword(pw))
		require.NoError(t, err)
		_, _, ok := tab.get(data)
		require.False(t, ok, "the bytes just written are not cached before anyone decoded them")
		got, err := w.GetSecret(ctx, "k") // the writer's own memo: no decode, nothing cached
		require.NoError(t, err)
		require.Equal(t, v, got)
		_, _, ok = tab.get(data)
		require.False(t, ok)

		r, err := Open(fsys, path, pw, WithCache(c)) // a restart decodes them
		require.NoError(t, err)
		_, cached, ok := tab.get(data)
		require.True(t, ok, "cached once decoded")
		require.Equal(t, map[string]string{"k": v}, cached.m)
		got, err = r.GetSecret(ctx, "k")
		require.NoError(t, err)
		require.Equal(t, v, got)
	}
}
