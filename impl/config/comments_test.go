package config_test

import (
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/config"
)

// TestCommentsOnlyConfigKeepsItsComments: a config that holds only
// comments (and blank lines) keeps them, byte for byte, when the flag is
// added — as a config with fields does (issue 21 item 10); the flag then
// reads true and a second SetMigrated writes nothing.
func TestCommentsOnlyConfigKeepsItsComments(t *testing.T) {
	for _, in := range []string{
		"# ToolHive config, kept by my dotfiles\n",
		"# first\n\n    # indented, after a blank line\n",
		"# no final newline",
	} {
		fsys := memWith(t, "/c.yaml", []byte(in), 0o600)
		f := config.Flag{Fs: fsys, Path: "/c.yaml"}
		require.NoError(t, f.SetMigrated(ctx))
		got, err := afero.ReadFile(fsys, "/c.yaml")
		require.NoError(t, err)
		want := in
		if want[len(want)-1] != '\n' {
			want += "\n"
		}
		require.Equal(t, want+config.Key+": true\n", string(got), "%q", in)
		set, err := f.Migrated(ctx)
		require.NoError(t, err)
		require.True(t, set)
		require.NoError(t, f.SetMigrated(ctx))
		again, err := afero.ReadFile(fsys, "/c.yaml")
		require.NoError(t, err)
		require.Equal(t, got, again)
	}
}
