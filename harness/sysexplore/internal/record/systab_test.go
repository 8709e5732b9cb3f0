package record

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// legacyOnly are the amd64 syscalls that arm64 never had: their *at forms
// (openat, renameat, unlinkat, mkdirat, linkat, symlinkat, fchmodat,
// fchownat, dup3) cover them there.
func legacyOnly() []string {
	return []string{"open", "creat", "rename", "unlink", "rmdir", "mkdir", "link", "symlink", "chmod", "chown", "lchown", "dup2"}
}

func byName(t *testing.T, tab []sysCall) map[string]sysCall {
	t.Helper()
	m := map[string]sysCall{}
	nrs := map[uint64]string{}
	for _, s := range tab {
		_, dup := m[s.Name]
		require.False(t, dup, "%s listed twice", s.Name)
		other, dupNr := nrs[s.Nr]
		require.False(t, dupNr, "%s and %s share number %d", s.Name, other, s.Nr)
		m[s.Name], nrs[s.Nr] = s, s.Name
	}
	return m
}

// Both tables name the same syscalls with the same class and argument
// positions, but for the legacy calls arm64 does not have.
func TestArchTablesAgree(t *testing.T) {
	amd, arm := byName(t, amd64Table()), byName(t, arm64Table())
	want := slices.Sorted(maps.Keys(amd))
	want = slices.DeleteFunc(want, func(n string) bool { return slices.Contains(legacyOnly(), n) })
	require.Equal(t, want, slices.Sorted(maps.Keys(arm)), "arm64 names every amd64 syscall but the legacy ones")
	for name, a := range arm {
		require.Equal(t, amd[name].Class, a.Class, name)
		require.Equal(t, amd[name].Args, a.Args, name)
	}
	for _, n := range legacyOnly() {
		require.Contains(t, amd, n)
	}
	// clone3 got one number on every architecture (Linux 5.3).
	require.EqualValues(t, amd64Clone3, arm64Clone3)
}
