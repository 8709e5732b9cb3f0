package harness

import (
	"context"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
)

// A soak step's point is drawn against the first run's operation count and
// scaled to the run it hits: the first run keeps the drawn point, a shorter
// or longer run gets the same relative position, the last point stays the
// last, and a fixed (resolved) step is never moved.
func TestSoakStepScalesToItsRun(t *testing.T) {
	c := faults.CrashAt{Op: 15, Mode: faults.Power, Seed: 7}
	st := soakStep{inj: c, crash: true, c: c, base: 16}
	require.Equal(t, 15, st.at(16).op())
	require.Equal(t, 7, st.at(8).op())
	require.Equal(t, 30, st.at(33).op())
	last := soakStep{inj: faults.CrashAt{Op: 16}, crash: true, c: faults.CrashAt{Op: 16}, base: 16}
	require.Equal(t, 4, last.at(4).op(), "the point after the last operation stays after the last")
	require.Equal(t, 0, soakStep{inj: faults.CrashAt{}, crash: true, base: 16}.at(40).op())
	e := soakStep{inj: faults.ErrorAt{Op: 8, Errno: syscall.EIO}, base: 16}
	require.Equal(t, faults.ErrorAt{Op: 4, Errno: syscall.EIO}, e.at(8).inj)
	fixed := st.at(8)
	require.Equal(t, 7, fixed.at(100).op())
	require.Equal(t, "crash(op=7,mode=power,seed=7)", fixed.inj.String())
}

// exec resolves each faulty run against the operation count of that run,
// not the initial store's: on dirstore (one file per key, so a retry after
// a crash has fewer operations left) every point it ran lies in [0, n] of
// its own run, counted here by replaying the runs before it; and some
// drawn points lie past the end of their run (drawn against the first
// run's count, they would not have crashed it).
func TestSoakExecResolvesEachRun(t *testing.T) {
	ctx := context.Background()
	target := Targets()[1]
	cfg := SoakConfig{Seed: 9, MaxKeys: 8, Depth: 3}.withDefaults()
	r := newSoakRunner(ctx, target, cfg)
	checked, pastEnd := 0, 0
	for index := range 48 {
		st, steps, _, err := r.plan(cfg.Seed, index)
		require.NoError(t, err)
		if _, err := r.exec(r.sw, st.s0, steps, st.d0.Clone(), st.ops); err != nil {
			t.Fatal(err)
		}
		e := newEnv(ctx, target)
		d := st.d0.Clone()
		for i, got := range r.ran {
			n, _ := e.run(d.Clone(), nil)
			require.LessOrEqual(t, got.op(), n, "case %d run %d: %s", index, i+1, got.inj)
			if steps[i].op() > n {
				pastEnd++
			}
			checked++
			if !got.crash {
				break
			}
			_, _ = e.run(d, got.c)
			d = image(d, got.c.Mode, got.c.Seed)
		}
	}
	require.Positive(t, checked)
	require.Positive(t, pastEnd, "no drawn point lay past its run: nothing shows the scaling")
	t.Logf("%d faulty runs, %d drawn points past the end of their run", checked, pastEnd)
}
