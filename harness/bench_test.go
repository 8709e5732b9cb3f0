package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/internal/perf"
)

// BenchmarkCrashStates: crash states checked per second on one core, on the
// 10-secret fixture.ExploreStore with the built-in encfile target (depth-1 sweep:
// every crash point of the migration, the image checked against the model,
// then a recovery run). Compare states/s with BenchmarkRealProcessKill's
// kills/s from the same `go test -bench` run. Run with -cpu 1 for a
// per-core figure that includes the garbage collector's work.
func BenchmarkCrashStates(b *testing.B) {
	for _, mode := range []faults.Mode{faults.Process, faults.Power} {
		b.Run(mode.String(), func(b *testing.B) {
			sw := &sweeper{e: newEnv(context.Background(), Targets()[0]), depth: 1, seed: 1}
			s0 := fixture.ExploreStore()
			b.ReportAllocs()
			for b.Loop() {
				f, err := sw.store(s0, mode)
				require.NoError(b, err)
				require.Nil(b, f)
			}
			b.ReportMetric(float64(sw.states)/b.Elapsed().Seconds(), "states/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(sw.states), "ns/state")
		})
	}
}

// BenchmarkCrashStatesParallel: the same sweeps on every P at once (one
// sweeper and its own disks per goroutine, one shared target), for the
// whole-machine figure: states/s is the total. The garbage collector
// competes with the workers here; GOGC=400 in the environment lets them
// scale (docs/performance.md).
func BenchmarkCrashStatesParallel(b *testing.B) {
	for _, mode := range []faults.Mode{faults.Process, faults.Power} {
		b.Run(mode.String(), func(b *testing.B) {
			target := Targets()[0]
			var states atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				sw := &sweeper{e: newEnv(context.Background(), target), depth: 1, seed: 1}
				s0 := fixture.ExploreStore()
				for pb.Next() {
					f, err := sw.store(s0, mode)
					if err != nil || f != nil {
						b.Errorf("sweep: %v %v", err, f)
						return
					}
				}
				states.Add(int64(sw.states))
			})
			b.ReportMetric(float64(states.Load())/b.Elapsed().Seconds(), "states/s")
		})
	}
}

// killChildEnv makes the test binary the child of BenchmarkRealProcessKill.
const killChildEnv = "SCOPEMIG_KILL_CHILD"

// TestKillChild checks perf.KillCycle on this test binary as the child. Run
// with killChildEnv set, it is that child: it reports that it runs and
// waits to be killed.
func TestKillChild(t *testing.T) {
	if os.Getenv(killChildEnv) != "" {
		fmt.Println("ready")
		time.Sleep(time.Hour)
		return
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	t.Setenv(killChildEnv, "1")
	require.NoError(t, perf.KillCycle(context.Background(), []string{exe, "-test.run=^TestKillChild$"}))
	t.Setenv(killChildEnv, "")
	err = perf.KillCycle(context.Background(), []string{exe, "-test.run=^$"}) // prints PASS: not our child
	require.NoError(t, err, "any first byte counts as running")
	if tr, lerr := exec.LookPath("true"); lerr == nil {
		err = perf.KillCycle(context.Background(), []string{tr})
		require.Error(t, err, "a child that exits silently never reported running")
	}
}

// BenchmarkRealProcessKill: one real child process (this test binary as a
// tiny Go program) started, allowed to reach its own code, killed with
// SIGKILL and reaped per iteration: the real-process counterpart of a crash
// state.
func BenchmarkRealProcessKill(b *testing.B) {
	exe, err := os.Executable()
	require.NoError(b, err)
	b.Setenv(killChildEnv, "1")
	argv := []string{exe, "-test.run=^TestKillChild$"}
	for b.Loop() {
		if err := perf.KillCycle(context.Background(), argv); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "kills/s")
}

// BenchmarkSoakCases: soak cases of the built-in encfile target with the
// soak's defaults (stores of up to 200 keys, up to 4 faulty runs), one
// goroutine: crash states, distinct images checked and cases per second
// on one core (-cpu 1). Each iteration is one case, index i (consecutive
// cases share their store in groups, as in Soak).
func BenchmarkSoakCases(b *testing.B) {
	cfg := SoakConfig{}.withDefaults()
	r := newSoakRunner(context.Background(), Targets()[0], cfg)
	states, distinct, cases := 0, 0, 0
	b.ReportAllocs()
	for b.Loop() {
		res, err := r.run(cfg.Seed, cases)
		require.NoError(b, err)
		require.Nil(b, res.art)
		states += res.states
		distinct += res.distinct
		cases++
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
	b.ReportMetric(float64(distinct)/b.Elapsed().Seconds(), "images/s")
	b.ReportMetric(float64(cases)/b.Elapsed().Seconds(), "cases/s")
}
