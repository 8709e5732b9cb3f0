package fslock

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIsCleanImpliesClean(t *testing.T) {
	for _, p := range []string{"/", "/a", "/a/b", "a", "a/b", ".a", "/.a/..b/...", "a.."} {
		require.True(t, isClean(p), p)
		require.Equal(t, filepath.Clean(p), p, p)
	}
	for _, p := range []string{"", ".", "..", "./a", "../a", "/a/", "a//b", "/a/./b", "/a/../b", "/a/..", "//a"} {
		require.False(t, isClean(p), p)
	}
}

func FuzzIsClean(f *testing.F) {
	for _, s := range []string{"/a/b", "a/../b", "//", "/.x/..y/./z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if isClean(p) {
			require.Equal(t, filepath.Clean(p), p)
		}
	})
}
