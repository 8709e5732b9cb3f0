package config_test

import (
	"context"
	"os"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/scopemig/scopemig/impl/config"
)

// topLevel renders every top-level field of a YAML document as YAML text
// (so NaN compares equal to NaN); ok is false when the document has no
// top-level mapping a generic decoder can read.
func topLevel(data []byte) (map[string]string, bool) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil, false
	}
	var m map[string]any
	if err := n.Decode(&m); err != nil {
		return nil, false
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		b, err := yaml.Marshal(v)
		if err != nil {
			return nil, false
		}
		out[k] = string(b)
	}
	return out, true
}

// FuzzSetMigrated runs SetMigrated on an arbitrary config file. Either it
// fails with ErrInvalidConfig and the directory is byte-for-byte unchanged,
// or the flag reads true afterwards and every other top-level field keeps
// its value; a file already migrated is never rewritten.
func FuzzSetMigrated(f *testing.F) {
	for _, s := range []string{
		"", "# only a comment\n", "null\n", "~", "[]\n", "- a\n", "just a string\n", "{", ":\n",
		"secret_scope_migration: true\n",
		"secret_scope_migration: yes\n",
		"secret_scope_migration: false\nother: 1\n",
		"secret_scope_migration: maybe\n",
		"secret_scope_migration: [true]\n",
		"secret_scope_migration: ~\n",
		"secret_scope_migration: true\nsecret_scope_migration: false\n",
		"a: &x {b: 1}\nc: *x\nsecret_scope_migration: false # keep me\n",
		"base: &b {k: v}\nderived:\n    <<: *b\n    extra: .nan\n",
		"secrets:\n    provider_type: encrypted\n    setup_completed: true\nregistry_url: \"\"\nunknown_field: [1, 2]\n",
		"\"quoted key\": 1\n? complex\n: 2\n",
		"---\na: 1\n---\nb: 2\n",
	} {
		f.Add([]byte(s))
	}
	ctx := context.Background()
	const dir, path = "/home/u/.config/toolhive", "/home/u/.config/toolhive/config.yaml"
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := afero.NewMemMapFs()
		require.NoError(t, fsys.MkdirAll(dir, 0o700))
		require.NoError(t, afero.WriteFile(fsys, path, data, 0o600))
		flag := config.Flag{Fs: fsys, Path: path}

		before, beforeErr := flag.Migrated(ctx)
		err := flag.SetMigrated(ctx)
		after, rerr := afero.ReadFile(fsys, path)
		require.NoError(t, rerr)
		entries, derr := afero.ReadDir(fsys, dir)
		require.NoError(t, derr)
		require.Len(t, entries, 1, "no temp file or other file is left behind")

		if err != nil {
			require.ErrorIs(t, err, config.ErrInvalidConfig)
			require.Error(t, beforeErr, "Migrated and SetMigrated agree on validity")
			require.Equal(t, data, after, "an invalid config is never written")
			return
		}
		require.NoError(t, beforeErr, "Migrated and SetMigrated agree on validity")
		if before {
			require.Equal(t, data, after, "an already-migrated config is never rewritten")
		}
		fi, serr := fsys.Stat(path)
		require.NoError(t, serr)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		done, merr := flag.Migrated(ctx)
		require.NoError(t, merr)
		require.True(t, done)
		require.NoError(t, flag.SetMigrated(ctx))
		again, rerr := afero.ReadFile(fsys, path)
		require.NoError(t, rerr)
		require.Equal(t, after, again, "a second SetMigrated writes nothing")

		old, ok := topLevel(data)
		if !ok {
			return
		}
		updated, ok := topLevel(after)
		require.True(t, ok, "the updated config still decodes")
		delete(old, config.Key)
		delete(updated, config.Key)
		require.Equal(t, old, updated, "every other top-level field is kept")
	})
}
