package sysexplore

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// A violation is reported at its smallest crash point per invariant and
// mode, however the points were visited (the complete run, point N+1, is
// checked first), with the count of points that showed it.
func TestViolationsKeepTheSmallestPoint(t *testing.T) {
	e := &explorer{cfg: Config{From: "/s0", Argv: []string{"cmd", "{dir}"}, Replay: func(_ Config, v Violation) string {
		return fmt.Sprintf("%s point %d image %s", v.Mode, v.Point, v.Image)
	}}, first: map[string]int{}}
	i9 := []model.Violation{{ID: model.I9, Detail: "config empty"}}
	e.add(i9, faults.Process, 4, 0, "none (complete run)", "t4")
	e.add(i9, faults.Process, 2, 0, "#2 write({dir}/config.yaml, 9 bytes at 0) (killed on entry)", "t2")
	e.add(i9, faults.Process, 3, 0, "#3 close", "t3")
	e.add(i9, faults.Power, 4, 0, "none", "t")
	require.Len(t, e.rep.Violations, 2)
	v := e.rep.Violations[0]
	require.Equal(t, 2, v.Point)
	require.Equal(t, 3, v.Count)
	require.Equal(t, "t2", v.Image)
	require.Contains(t, v.Syscall, "#2 write")
	require.Equal(t, "process point 2 image t2", v.Replay, "the Replay func sees the smallest point's data")
	require.Equal(t, faults.Power, e.rep.Violations[1].Mode)
}
