package harness

import (
	"context"
	"io/fs"
	"path"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// The harness's I8 reaches the oracle's verdict on every agreement case,
// laid out on the simulated machine (fixture.DataDir, fixture.ConfigDir).
func TestHygieneAgreesWithModel(t *testing.T) {
	for _, c := range fixture.HygieneCases() {
		t.Run(c.Name, func(t *testing.T) {
			d := faults.NewMemFS()
			dirs := map[string]string{"data": fixture.DataDir, "config": fixture.ConfigDir}
			for _, f := range c.Files {
				p := path.Join(dirs[f.Dir], f.Name)
				require.NoError(t, d.MkdirAll(dirs[f.Dir], 0o700))
				require.NoError(t, writeFileMode(d, p, []byte(f.Data), f.Perm))
			}
			require.NoError(t, d.Chmod(fixture.DataDir, c.DataPerm))
			require.NoError(t, d.Chmod(fixture.ConfigDir, c.ConfPerm))
			tg := Targets()[0]
			tg.Plaintext = c.Plaintext
			e := newEnv(context.Background(), tg)
			got := e.checkHygiene(d, model.ValuesOf(c.Values))
			require.Equal(t, c.Want, fixture.HygieneVerdict(got))
		})
	}
}

func writeFileMode(d *faults.MemFS, p string, b []byte, perm fs.FileMode) error {
	f, err := d.Create(p)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return d.Chmod(p, perm)
}
