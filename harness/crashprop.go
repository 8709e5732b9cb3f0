package harness

import (
	"slices"

	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// crashProperty is the rapid property of the migration: a drawn store, a
// drawn schedule of up to depth crashes (operation, mode, seed), each
// followed by a restart that checks the image, then a complete run. rapid
// shrinks a failure to the smallest store and schedule; the last failure
// recorded in *last is the minimal one (rapid replays it last).
func (sw *sweeper) crashProperty(maxKeys int, modes []faults.Mode, last **failure) func(*rapid.T) {
	e := sw.e
	return func(t *rapid.T) {
		s0 := genStore(rapidChooser{t}, maxKeys)
		d, err := e.seed(s0)
		if err != nil {
			*last = &failure{vs: []model.Violation{{ID: model.I7, Detail: "cannot seed the store: " + err.Error()}}, s0: s0}
			t.Fatalf("seed: %v", err)
		}
		vals := valueSet(s0, e.model.Migrate(s0, e.policy))
		var sched []string
		crashes := rapid.IntRange(0, sw.depth).Draw(t, "crashes")
		for i := 0; i < crashes; i++ {
			mode := rapid.SampledFrom(modes).Draw(t, "mode")
			inj := faults.CrashAt{Op: rapid.IntRange(0, 40).Draw(t, "op"), Mode: mode, Seed: uint64(rapid.IntRange(0, 1<<16).Draw(t, "seed"))}
			sched = append(slices.Clip(sched), inj.String())
			_, _ = e.run(d, inj)
			sw.runs++
			d = image(d, mode, inj.Seed)
			sw.states++
			vs := e.checkHygiene(d, vals)
			st, rerr := e.observe(d)
			vs = append(vs, e.checkImage(s0, st, rerr)...)
			if len(vs) > 0 {
				*last = &failure{vs: vs, s0: s0, sched: sched}
				t.Fatalf("%s", vs[0])
			}
		}
		if _, f := sw.complete(s0, d, sched); f != nil {
			*last = f
			t.Fatalf("%s", f.vs[0])
		}
	}
}
