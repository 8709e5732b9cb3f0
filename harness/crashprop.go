package harness

import (
	"slices"

	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/internal/fixture"
)

// crashProperty is the rapid property of the migration: a drawn store, a
// drawn schedule of up to depth crashes (operation, mode, seed), each
// followed by a restart that checks the image, then a complete run. Each
// crash point is drawn in [0, n], n the operation count of a complete run
// from the disk at hand, so rapid shrinks it towards the run's start and
// never draws a point past the run's end. rapid shrinks a failure to a
// small store (a list of key draws, removable one at a time) and schedule;
// the last failure recorded in *last is the one rapid replayed last (its
// minimal case), which the caller makes 1-minimal (minimize).
func (sw *sweeper) crashProperty(maxKeys int, modes []faults.Mode, last **failure) func(*rapid.T) {
	e := sw.e
	return func(t *rapid.T) {
		s0 := fixture.GenStore(fixture.RapidChooser{T: t}, maxKeys)
		d, err := e.seed(s0)
		if err != nil {
			*last = targetFailure("cannot seed the store", err, s0)
			t.Fatalf("seed: %v", err)
		}
		sw.memo.reset()
		vals := valueSet(s0, sw.expect(s0).want)
		c := failCase{Store: s0.Clone()}
		var sched []string
		crashes := rapid.IntRange(0, sw.depth).Draw(t, "crashes")
		for i := 0; i < crashes; i++ {
			n, _ := e.run(d.Clone(), nil) // the operation count of this run, uncrashed
			sw.runs++
			mode := rapid.SampledFrom(modes).Draw(t, "mode")
			inj := faults.CrashAt{Op: rapid.IntRange(0, n).Draw(t, "op"), Mode: mode, Seed: uint64(rapid.IntRange(0, 1<<16).Draw(t, "seed"))}
			sched = append(slices.Clip(sched), inj.String())
			c.Crashes = append(c.Crashes, inj)
			img, vs := sw.crashStep(s0, d, inj, vals)
			d = img
			if len(vs) > 0 {
				*last = &failure{vs: vs, s0: s0, sched: sched, c: ptr(c.clone())}
				t.Fatalf("%s", vs[0])
			}
		}
		if _, f := sw.complete(s0, d, sched); f != nil {
			f.c = ptr(c.clone())
			*last = f
			t.Fatalf("%s", f.vs[0])
		}
	}
}
