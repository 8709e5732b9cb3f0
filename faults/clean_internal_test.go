package faults

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// isCleanAbs is exactly "absolute and unchanged by filepath.Clean", so the
// fast path of clean never changes a result.
func TestIsCleanAbs(t *testing.T) {
	for _, p := range []string{
		"", "/", "//", "/a", "a", "/a/", "/a//b", "/a/./b", "/a/../b", "/.", "/..", "/a/.", "/a/..",
		"/.a", "/..a", "/a..", "/a.b/c", "/home/user/.config/toolhive/config.yaml",
		"/home/user/.local/share/toolhive/.secrets_encrypted.scopemig-tmp", "./a", "/a/b/", "/a/b//",
	} {
		want := p != "" && p[0] == '/' && filepath.Clean(p) == p
		require.Equal(t, want, isCleanAbs(p), "%q", p)
		if p != "" {
			slow := filepath.ToSlash(filepath.Clean("/" + p))[1:]
			if p[0] == '/' {
				slow = filepath.ToSlash(filepath.Clean(p))[1:]
			}
			require.Equal(t, slow, clean(p), "%q", p)
		}
	}
}

func FuzzIsCleanAbs(f *testing.F) {
	for _, s := range []string{"/", "/a/b", "/a/./b", "//", "/a/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		want := p != "" && p[0] == '/' && filepath.Clean(p) == p
		require.Equal(t, want, isCleanAbs(p))
	})
}

// findEntry's linear scan agrees with a binary search on sorted entries.
func TestFindEntrySmallAndLarge(t *testing.T) {
	names := []string{"", ".a", "a", "a.b", "b", "bb", "c", "d", "e", "f", "g", "zz"}
	for n := 0; n <= len(names); n++ {
		es := make([]dirent, 0, n)
		for _, name := range names[:n] {
			es = append(es, dirent{name: name})
		}
		for _, q := range append(names, "0", "aa", "ba", "zzz", ".") {
			i, ok := findEntry(es, q)
			j, ok2 := slices.BinarySearchFunc(es, q, func(e dirent, q string) int { return strings.Compare(e.name, q) })
			require.Equal(t, j, i, "%d entries, %q", n, q)
			require.Equal(t, ok2, ok)
		}
	}
}
