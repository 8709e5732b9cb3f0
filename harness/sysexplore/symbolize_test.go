package sysexplore

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUserGoPackage(t *testing.T) {
	for pkg, want := range map[string]bool{
		"main": true, "github.com/stacklok/toolhive/pkg/config": true, "example.com/x": true,
		"os": false, "internal/poll": false, "runtime": false, "syscall": false,
		"internal/runtime/syscall/linux": false, "golang.org/x/sys/unix": false, "vendor/golang.org/x/net/http": false,
	} {
		require.Equal(t, want, userGoPackage(pkg), pkg)
	}
	require.Equal(t, "os.WriteFile", shortFunc("os.WriteFile"))
	require.Equal(t, "poll.(*FD).Write", shortFunc("internal/poll.(*FD).Write"))
	require.Equal(t, "config.save", shortFunc("github.com/stacklok/toolhive/pkg/config.save"))
}

func TestVerdict(t *testing.T) {
	both := FSModels()
	require.Equal(t, "fails on strict POSIX, survives ext4-ordered", fsVerdict(both, map[FSModel]bool{Strict: true}))
	require.Equal(t, "fails on ext4-ordered, survives strict POSIX", fsVerdict(both, map[FSModel]bool{Ext4Ordered: true}))
	require.Equal(t, "fails on both", fsVerdict(both, map[FSModel]bool{Strict: true, Ext4Ordered: true}))
	require.Empty(t, fsVerdict([]FSModel{Strict}, map[FSModel]bool{Strict: true}), "one model explored: no comparison")
	_, err := ParseFS("zfs")
	require.ErrorIs(t, err, ErrBadConfig)
	fs, err := ParseFS("both")
	require.NoError(t, err)
	require.Equal(t, both, fs)
}
