package cleanpath

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIsCleanImpliesClean(t *testing.T) {
	for _, p := range []string{"/", "/a", "/a/b", "a", "a/b", ".a", "/.a/..b/...", "a..", "/a/b.c"} {
		require.True(t, IsClean(p), p)
		require.Equal(t, filepath.Clean(p), p, p)
	}
	for _, p := range []string{"", ".", "..", "./a", "../a", "/a/", "a//b", "/a/./b", "/a/../b", "/a/.", "/a/..", "//a", "a/"} {
		require.False(t, IsClean(p), p)
	}
}

func FuzzIsClean(f *testing.F) {
	for _, s := range []string{"/a/b", "a/../b", "//", "/.x/..y/./z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if IsClean(p) {
			require.Equal(t, filepath.Clean(p), p)
		}
	})
}
