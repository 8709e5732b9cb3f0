package sysexplore

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	fx "github.com/scopemig/scopemig/internal/fixture"
)

// The syscall explorer's I8 reaches the oracle's verdict on every
// agreement case, laid out in a real directory as a command left it.
func TestHygieneAgreesWithModel(t *testing.T) {
	for _, c := range fx.HygieneCases() {
		t.Run(c.Name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range c.Files {
				require.NoError(t, os.MkdirAll(filepath.Join(dir, f.Dir), 0o700))
				p := filepath.Join(dir, f.Dir, f.Name)
				require.NoError(t, os.WriteFile(p, []byte(f.Data), 0o600))
				require.NoError(t, os.Chmod(p, f.Perm))
			}
			require.NoError(t, os.Chmod(filepath.Join(dir, "data"), c.DataPerm))
			require.NoError(t, os.Chmod(filepath.Join(dir, "config"), c.ConfPerm))
			e := &explorer{cfg: Config{Layout: Layout{ConfigFile: "config/config.yaml"}, Plaintext: c.Plaintext}, s0: c.Values}
			require.Equal(t, c.Want, fx.HygieneVerdict(e.hygiene(dir)))
		})
	}
}
