//go:build linux

package sysexplore

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// sameReport is a report as JSON without its timings and its scratch
// paths: what must not depend on the number of workers.
func sameReport(t *testing.T, r Report) string {
	t.Helper()
	for i := range r.Modes {
		r.Modes[i].Seconds, r.Modes[i].StatesPerSec, r.Modes[i].PointsPerSec = 0, 0, 0
	}
	for i := range r.Cost {
		r.Cost[i].Seconds = 0
	}
	b, err := json.MarshalIndent(r, "", " ")
	require.NoError(t, err)
	return string(b)
}

// The report is the same for 1 and 3 workers: the same violations at the
// same points with the same replay lines, the same counts of states,
// distinct images and runs, the same cost rows (timings aside), for the
// broken Python provider in every mode.
func TestReportIndependentOfWorkers(t *testing.T) {
	needPtrace(t)
	py := python(t)
	var reps []string
	for _, w := range []int{1, 3} {
		cfg := pyConfig(t, py, "broken")
		cfg.Workers = w
		rep, err := Explore(context.Background(), cfg)
		require.NoError(t, err)
		require.NotEmpty(t, rep.Violations)
		require.Len(t, rep.Cost, rep.Modes[0].States+rep.Modes[1].States+rep.Modes[2].States, "one cost row per point")
		reps = append(reps, sameReport(t, rep))
	}
	require.Equal(t, reps[0], reps[1])
}
