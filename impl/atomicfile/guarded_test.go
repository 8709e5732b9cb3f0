package atomicfile_test

import (
	"errors"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/atomicfile"
)

// A guard that fails leaves the target as it was and no temp file; one
// that passes runs once, after the temp file is complete, before the
// rename.
func TestWriteGuarded(t *testing.T) {
	fsys := afero.NewMemMapFs()
	require.NoError(t, afero.WriteFile(fsys, "/d/f", []byte("old"), 0o600))
	stop := errors.New("changed meanwhile")
	err := atomicfile.WriteGuarded(fsys, "/d/f", []byte("new"), 0o600, func() error {
		tmp, rerr := afero.ReadFile(fsys, atomicfile.TempName("/d/f"))
		require.NoError(t, rerr)
		require.Equal(t, "new", string(tmp), "the guard runs when the temp file is complete")
		return stop
	})
	require.ErrorIs(t, err, stop)
	got, err := afero.ReadFile(fsys, "/d/f")
	require.NoError(t, err)
	require.Equal(t, "old", string(got))
	_, err = fsys.Stat(atomicfile.TempName("/d/f"))
	require.ErrorIs(t, err, afero.ErrFileNotFound, "no temp file left")

	calls := 0
	require.NoError(t, atomicfile.WriteGuarded(fsys, "/d/f", []byte("new"), 0o600, func() error {
		calls++
		got, rerr := afero.ReadFile(fsys, "/d/f")
		require.NoError(t, rerr)
		require.Equal(t, "old", string(got), "the guard runs before the rename")
		return nil
	}))
	require.Equal(t, 1, calls)
	got, err = afero.ReadFile(fsys, "/d/f")
	require.NoError(t, err)
	require.Equal(t, "new", string(got))
}
