package harness

import (
	"context"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/internal/fixture"
)

// hidden hides the concrete *faults.MemFS, forcing listFiles' generic walk.
type hidden struct{ afero.Fs }

// listFiles' MemFS fast path lists exactly what the generic afero.Walk
// lists, with the same bytes, on every crash image of a migration.
func TestListFilesFastPathAgrees(t *testing.T) {
	e := newEnv(context.Background(), Targets()[0])
	d, err := e.seed(fixture.ExploreStore())
	require.NoError(t, err)
	n, err := e.run(d.Clone(), nil)
	require.NoError(t, err)
	for k := 0; k <= n; k++ {
		c := d.Clone()
		_, _ = e.run(c, faults.CrashAt{Op: k, Mode: faults.Torn, Seed: uint64(k)})
		for _, img := range []*faults.MemFS{c, image(c, faults.Power, 1), image(c, faults.PowerPartial, uint64(k))} {
			fastData, slowData := map[string][]byte{}, map[string][]byte{}
			fast, err := listFiles(img, fastData)
			require.NoError(t, err)
			slow, err := listFiles(hidden{img}, slowData)
			require.NoError(t, err)
			require.NotEmpty(t, fast)
			require.Equal(t, slow, fast, "crash at %d", k)
			require.Equal(t, slowData, fastData, "crash at %d", k)
		}
	}
}
