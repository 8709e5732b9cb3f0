package sysexplore

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// A violation is reported at its smallest crash point per invariant and
// mode, however the points were visited (the complete run, point N+1, is
// checked first), with the count of points that showed it.
func TestViolationsKeepTheSmallestPoint(t *testing.T) {
	e := &explorer{cfg: Config{From: "/s0", Argv: []string{"cmd", "{dir}"}, Replay: ReplayCommand}, first: map[string]int{}}
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
	require.Equal(t, "scopemig explore --exec --from /s0 --mode process --point 2 --on-conflict keep --image t2 -- cmd {dir}", v.Replay)
	require.Equal(t, faults.Power, e.rep.Violations[1].Mode)
}
