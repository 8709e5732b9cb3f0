package config_test

import (
	"context"
	"errors"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/config"
)

// A Flag with a Cache answers exactly as one without, on the first call
// (parsed) and on later ones (cached), for valid and invalid files alike;
// SetMigrated writes the same bytes with the file's own mode.
func TestCachedFlagAgrees(t *testing.T) {
	ctx := context.Background()
	const dir, path = "/c", "/c/config.yaml"
	inputs := []string{
		"", "# only a comment\n", "null\n", "[]\n", "{", "secret_scope_migration: maybe\n",
		"secret_scope_migration: true\n", "secret_scope_migration: yes\n",
		"secret_scope_migration: false\nother: 1\n",
		"secrets:\n    provider_type: encrypted\nsecret_scope_migration: false # keep me\n",
		"a: &x {b: 1}\nc: *x\n",
	}
	shared := config.NewCache(0) // 64 entries: every input stays cached from round 1 on
	for round := range 3 {
		for _, in := range inputs {
			for _, missing := range []bool{false, true} {
				if missing && in != "" {
					continue
				}
				mk := func() afero.Fs {
					fsys := afero.NewMemMapFs()
					require.NoError(t, fsys.MkdirAll(dir, 0o700))
					if !missing {
						require.NoError(t, afero.WriteFile(fsys, path, []byte(in), 0o640))
					}
					return fsys
				}
				plainFs, cachedFs := mk(), mk()
				plain := config.Flag{Fs: plainFs, Path: path}
				cached := config.Flag{Fs: cachedFs, Path: path, Cache: shared}
				w, werr := plain.Migrated(ctx)
				g, gerr := cached.Migrated(ctx)
				require.Equal(t, w, g, "round %d %q", round, in)
				require.Equal(t, werr == nil, gerr == nil, "round %d %q", round, in)
				if gerr != nil {
					require.True(t, errors.Is(gerr, config.ErrInvalidConfig))
				}
				werr, gerr = plain.SetMigrated(ctx), cached.SetMigrated(ctx)
				require.Equal(t, werr == nil, gerr == nil, "round %d %q", round, in)
				wb, err1 := afero.ReadFile(plainFs, path)
				gb, err2 := afero.ReadFile(cachedFs, path)
				require.Equal(t, err1 == nil, err2 == nil)
				require.Equal(t, string(wb), string(gb), "round %d %q", round, in)
				if err1 == nil {
					wi, _ := plainFs.Stat(path)
					gi, _ := cachedFs.Stat(path)
					require.Equal(t, wi.Mode(), gi.Mode())
				}
			}
		}
	}
}
