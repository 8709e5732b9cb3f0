//go:build unix

package atomicfile_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/atomicfile"
)

// TestLeftoverKindNamesTheFileType: each thing planted at a temp name is
// named in words, never as a mode string (issue 21 item 10); a crashed
// write's leftover and a free name are no foreign file.
func TestLeftoverKindNamesTheFileType(t *testing.T) {
	fsys := afero.NewOsFs()
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside")
	require.NoError(t, os.WriteFile(outside, []byte("x"), 0o600))
	for _, tc := range []struct {
		want  string
		plant func(p string) error
	}{
		{"", func(string) error { return nil }},
		{"", func(p string) error { return os.WriteFile(p, []byte("half"), 0o600) }},
		{"a directory", func(p string) error { return os.Mkdir(p, 0o700) }},
		{"a FIFO", func(p string) error { return syscall.Mkfifo(p, 0o600) }},
		{"a symlink", func(p string) error { return os.Symlink(outside, p) }},
		{"a file with 2 hard links", func(p string) error { return os.Link(outside, p) }},
	} {
		sub := t.TempDir()
		tmp := atomicfile.TempName(filepath.Join(sub, "store"))
		require.NoError(t, tc.plant(tmp))
		require.Equal(t, tc.want, atomicfile.LeftoverKind(fsys, tmp), tc.want)
	}
}
