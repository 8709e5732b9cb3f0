//go:build linux && (amd64 || arm64)

package record

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseMaps(t *testing.T) {
	maps := []byte(`00400000-00401000 r--p 00000000 08:01 123 /usr/bin/prog
00401000-00480000 r-xp 00001000 08:01 123 /usr/bin/prog
7f0000000000-7f0000020000 r-xp 00028000 08:01 456 /lib/x86_64-linux-gnu/libc.so.6
7f0000100000-7f0000101000 rw-p 00000000 00:00 0
7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0 [stack]
7ffc00100000-7ffc00102000 r-xp 00000000 00:00 0 [vdso]
7f0000200000-7f0000201000 r-xp 00000000 08:01 789 /tmp/with space/lib.so
`)
	require.Equal(t, []Module{
		{Start: 0x401000, End: 0x480000, Off: 0x1000, Path: "/usr/bin/prog"},
		{Start: 0x7f0000000000, End: 0x7f0000020000, Off: 0x28000, Path: "/lib/x86_64-linux-gnu/libc.so.6"},
		{Start: 0x7f0000200000, End: 0x7f0000201000, Off: 0, Path: "/tmp/with space/lib.so"},
	}, parseMaps(maps))
	st := Stack{Mods: parseMaps(maps)}
	m, ok := st.ModuleOf(0x401234)
	require.True(t, ok)
	require.Equal(t, "/usr/bin/prog", m.Path)
	_, ok = st.ModuleOf(0x400100)
	require.False(t, ok, "not executable")
}
