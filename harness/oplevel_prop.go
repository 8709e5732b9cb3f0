package harness

import (
	"slices"

	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/faults"
)

// opCrashProperty is the rapid property of the migration on an op-level
// target: a drawn store, up to depth crashes each at a drawn provider call
// (before or after it), each followed by a restart that checks I1–I3 and
// readability, then a complete run checked for I4 (content) and I5.
func (sw *sweeper) opCrashProperty(maxKeys int, last **failure) func(*rapid.T) {
	e := sw.e
	return func(t *rapid.T) {
		s0 := genStore(rapidChooser{t}, maxKeys)
		d, err := e.seed(s0)
		if err != nil {
			*last = inconclusiveFailure(InconclusiveTargetError, "cannot seed the store: "+err.Error(), s0)
			t.Fatalf("seed: %v", err)
		}
		var sched []string
		crashes := rapid.IntRange(0, sw.depth).Draw(t, "crashes")
		for i := 0; i < crashes; i++ {
			inj := faults.CrashAt{
				Op:    rapid.IntRange(0, 60).Draw(t, "call"),
				After: rapid.Bool().Draw(t, "after"),
			}
			sched = append(slices.Clip(sched), inj.String())
			e.opRun(d, inj)
			sw.runs++
			d = restartImage(d)
			sw.states++
			st, rerr := e.observe(d)
			if vs := e.checkImage(s0, st, rerr); len(vs) > 0 {
				*last = &failure{vs: vs, s0: s0, sched: sched}
				t.Fatalf("%s", vs[0])
			}
		}
		if _, f := sw.newOpSweep(s0).complete(d, sched); f != nil {
			*last = f
			t.Fatalf("%s", f.vs[0])
		}
	}
}

func (v *verifier) opProperty() (int, *failure) {
	var last *failure
	failed, logs := v.checkRapid("property", v.cfg.Seed, v.sw.opCrashProperty(v.cfg.MaxKeys, &last))
	return v.cfg.Checks, rapidFailure(failed, last, logs)
}
