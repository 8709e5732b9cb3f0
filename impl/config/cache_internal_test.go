package config

import (
	"context"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
)

// A cached content is not parsed again (a planted answer shows it); one
// changed byte is another content; a Flag without a Cache parses every
// time. The cache is bounded, oldest first.
func TestCacheSkipsParseAndIsBounded(t *testing.T) {
	ctx := context.Background()
	fsys := afero.NewMemMapFs()
	const path = "/c/config.yaml"
	require.NoError(t, afero.WriteFile(fsys, path, []byte("a: 1\n"), 0o600))
	c := NewCache(0)
	f := Flag{Fs: fsys, Path: path, Cache: c}
	done, err := f.Migrated(ctx)
	require.NoError(t, err)
	require.False(t, done)
	c.entries.Upsert("a: 1\n", func(e cacheEntry, ok bool) cacheEntry { // planted
		require.True(t, ok)
		e.migrated = true
		return e
	})
	done, err = f.Migrated(ctx)
	require.NoError(t, err)
	require.True(t, done, "the answer came from the cache")
	done, err = Flag{Fs: fsys, Path: path}.Migrated(ctx)
	require.NoError(t, err)
	require.False(t, done, "no cache without one")
	require.NoError(t, afero.WriteFile(fsys, path, []byte("a: 2\n"), 0o600))
	done, err = f.Migrated(ctx)
	require.NoError(t, err)
	require.False(t, done, "another content is parsed")

	c = NewCache(2)
	c.put([]byte("a: 1\n"), false, nil)
	c.put([]byte("a: 2\n"), false, nil)
	c.put([]byte("b"), false, nil) // evicts "a: 1\n", the oldest
	_, _, ok := c.get([]byte("a: 1\n"))
	require.False(t, ok)
	_, _, ok = c.get([]byte("a: 2\n"))
	require.True(t, ok)
	require.Equal(t, 2, c.entries.Len())
}
