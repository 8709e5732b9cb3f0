package harness

import (
	"github.com/scopemig/scopemig/faults"
)

// tap is an injector that never injects: before each mutating operation k
// of one run it takes the crash image that a crash at k in mode would
// leave (the disk as it is before operation k runs), so that one complete
// run yields the images of every crash point instead of one run per
// point. It is the sweep's fast path and only ever an optimisation: a
// point whose image it could not take (a torn write, which needs the
// write performed partially, or a point past the run's end) is run the
// slow way, by a run that crashes there (crashStep).
//
// A run whose operations depend on something other than the disk (a
// nondeterministic target) gives images of that run; each is still a real
// crash state of the target.
//
// Inject is called by faults.FS with its lock held and before the
// operation touches the disk, so d is exactly the state a crash at
// op.Index would leave behind in Process mode (and the basis of every
// other mode's image). Not safe for concurrent use: one run at a time.
type tap struct {
	d     *faults.MemFS // the disk the run writes
	mode  faults.Mode
	seeds []uint64        // seeds[k]: the crash seed of point k
	imgs  []*faults.MemFS // imgs[k]: the image of point k, nil when not taken
}

var _ faults.Injector = (*tap)(nil)

// Inject implements faults.Injector: it takes the image and lets the
// operation run.
func (t *tap) Inject(op faults.Op) faults.Action {
	k := op.Index
	if k >= 0 && k < len(t.imgs) && (t.mode != faults.Torn || op.Kind != faults.OpWrite) {
		t.imgs[k] = image(t.d, t.mode, t.seeds[k])
	}
	return faults.Action{}
}

// String is the printed form of what the run injects: nothing.
func (t *tap) String() string { return faults.None{}.String() }

// crashImages runs the migration once, to the end, on a clone of d, and
// returns the crash image of each point k in [0, n] in mode, seeded with
// seeds[k]: imgs[k] is nil where the tap could not take it (every point of
// a store that is not on the disk). The image of
// point n is the disk after the run; afterReturn reports whether the run
// returned nil (a crash at n then follows an acknowledged migration).
func (sw *sweeper) crashImages(d *faults.MemFS, mode faults.Mode, seeds []uint64) (imgs []*faults.MemFS, afterReturn bool) {
	n := len(seeds) - 1
	if !sw.e.b.onDisk() {
		// An op-level store lives outside the disk and is recorded on it
		// only when a process ends (backend.settle): an image taken mid-run
		// would miss it. Every point crashes for real.
		return make([]*faults.MemFS, n+1), false
	}
	t := &tap{d: d.Clone(), mode: mode, seeds: seeds, imgs: make([]*faults.MemFS, n+1)}
	ops, err := sw.e.run(t.d, t)
	sw.runs++
	if ops == n {
		t.imgs[n] = image(t.d, mode, seeds[n])
	} else {
		t.imgs[n] = nil // the run did not end where the complete run did: crash there the slow way
	}
	return t.imgs, err == nil && ops == n
}
