package harness

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// TestTapImagesEqualCrashRuns: the image the tap takes of each crash point
// is the image a run that crashes there leaves, in every mode, on the edge
// stores and generated ones, for each built-in target: byte for byte when
// the target's runs are deterministic (encfile's simulated processes use
// seeded nonces), and the same files, modes and sizes when they are not
// (dirstore encrypts with fresh random nonces). The sweep relies on it.
func TestTapImagesEqualCrashRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	stores := fixture.EdgeStates()
	for range 6 {
		stores = append(stores, fixture.GenStore(fixture.RandChooser{R: rng}, 8))
	}
	for _, target := range Targets() {
		if target.OpLevelOnly {
			continue
		}
		t.Run(target.Name, func(t *testing.T) {
			e := newEnv(context.Background(), target)
			sw := &sweeper{e: e, seed: 3}
			checked := 0
			deterministic := runsAreDeterministic(t, e, stores[0])
			for si, s0 := range stores {
				d, err := e.seed(s0)
				require.NoError(t, err)
				n, err := e.run(d.Clone(), nil)
				require.NoError(t, err, "store %d", si)
				for _, mode := range faults.Modes() {
					seeds := make([]uint64, n+1)
					for k := range seeds {
						seeds[k] = sw.nextSeed()
					}
					imgs, acked := sw.crashImages(d, mode, seeds)
					require.True(t, acked, "the tapped run of store %d returned an error", si)
					for k := 0; k <= n; k++ {
						c := d.Clone()
						ops, runErr := e.run(c, faults.CrashAt{Op: k, Mode: mode, Seed: seeds[k]})
						want := image(c, mode, seeds[k])
						if imgs[k] == nil {
							require.True(t, mode == faults.Torn, "store %d %s point %d: the tap took no image", si, mode, k)
							continue
						}
						require.Equal(t, shape(want), shape(imgs[k]),
							"store %d (%s) %s point %d: the tapped image's files differ from the crashed run's", si, describeState(s0), mode, k)
						if deterministic {
							require.True(t, bytes.Equal(want.AppendContent(nil), imgs[k].AppendContent(nil)),
								"store %d (%s) %s point %d: the tapped image differs from the crashed run's", si, describeState(s0), mode, k)
						}
						require.Equal(t, k >= ops && runErr == nil, k == n && acked, "store %d %s point %d: acknowledged", si, mode, k)
						checked++
					}
				}
			}
			require.Greater(t, checked, 100, "too few points compared to mean anything")
			t.Logf("%d crash points compared (bytes too: %v)", checked, deterministic)
		})
	}
}

// runsAreDeterministic reports whether two complete runs from s0 leave
// byte-identical disks.
func runsAreDeterministic(t *testing.T, e *env, s0 model.State) bool {
	d, err := e.seed(s0)
	require.NoError(t, err)
	a, b := d.Clone(), d.Clone()
	_, errA := e.run(a, nil)
	_, errB := e.run(b, nil)
	require.NoError(t, errA)
	require.NoError(t, errB)
	return bytes.Equal(a.AppendContent(nil), b.AppendContent(nil))
}

// shape lists d's files as path, mode and size.
func shape(d *faults.MemFS) []string {
	var out []string
	for p, f := range d.Files() {
		out = append(out, fmt.Sprintf("%s %v %d", p, f.Mode, len(f.Data)))
	}
	slices.Sort(out)
	return out
}
