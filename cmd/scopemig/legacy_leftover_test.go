package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/atomicfile"
)

// TestLegacyListReportsLeftovers: `legacy list` reports what is at the
// store's temp name the way `plan` does — a crashed write's temp file as a
// leftover, a planted symlink as a foreign file that restore, drop and
// migrate refuse — and does so whether or not the store holds quarantined
// values (it used to print nothing about them when it held none).
func TestLegacyListReportsLeftovers(t *testing.T) {
	osfs := afero.NewOsFs()
	for _, migrated := range []bool{false, true} {
		dir := install(t, osfs, t.TempDir())
		store := filepath.Join(dir, "secrets_encrypted")
		if migrated { // one quarantined value
			_, errOut, code := run(t, newMigrateCmdEnv, testEnv(osfs, pwEnv()), "--secrets-file", store, "--config", filepath.Join(dir, "config.yaml"))
			require.Equal(t, 0, code, errOut)
		}
		tmp := atomicfile.TempName(store)
		for _, planted := range []bool{false, true} {
			require.NoError(t, os.RemoveAll(tmp))
			if planted {
				require.NoError(t, os.Symlink("/etc/passwd", tmp))
			} else {
				require.NoError(t, os.WriteFile(tmp, []byte("half-written"), 0o600))
			}
			before := tree(t, dir)
			out, errOut, code := run(t, newLegacyCmdEnv, testEnv(osfs, pwEnv()), "list", "--secrets-file", store)
			require.Equal(t, 0, code, errOut)
			if planted {
				require.Contains(t, out, "foreign file: "+tmp+" ", "migrated=%v", migrated)
				require.NotContains(t, out, "leftover: ")
			} else {
				require.Contains(t, out, "leftover: "+tmp+" ", "migrated=%v", migrated)
				require.NotContains(t, out, "foreign file: ")
			}

			out, errOut, code = run(t, newLegacyCmdEnv, testEnv(osfs, pwEnv()), "list", "--json", "--secrets-file", store)
			require.Equal(t, 0, code, errOut)
			var raw map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &raw))
			require.Equal(t, []any{tmp}, raw["leftovers"])
			want := []any{}
			if planted {
				want = []any{tmp}
			}
			require.Equal(t, want, raw["foreign_temp_files"], "migrated=%v planted=%v", migrated, planted)
			require.Equal(t, before, tree(t, dir), "list writes nothing")
		}
	}
}
