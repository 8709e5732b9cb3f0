package harness

import (
	"context"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
)

// BenchmarkCrashStates: crash states checked per second on one core, on the
// 10-secret ExploreStore with the built-in encfile target (depth-1 sweep:
// every crash point of the migration, the image checked against the model,
// then a recovery run). Compare states/s with BenchmarkRealProcessKill's
// kills/s from the same `go test -bench` run.
func BenchmarkCrashStates(b *testing.B) {
	for _, mode := range []faults.Mode{faults.Process, faults.Power} {
		b.Run(mode.String(), func(b *testing.B) {
			sw := &sweeper{e: newEnv(context.Background(), Targets()[0]), depth: 1, seed: 1}
			s0 := ExploreStore()
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

// BenchmarkRealProcessKill: one real child process (sleep) started, killed
// with SIGKILL and reaped per iteration: the real-process counterpart of a
// crash state.
func BenchmarkRealProcessKill(b *testing.B) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		b.Skip("no sleep binary")
	}
	argv := []string{sleep, "3600"}
	for b.Loop() {
		if err := KillCycle(context.Background(), argv); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "kills/s")
}
