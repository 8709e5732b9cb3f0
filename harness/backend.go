package harness

import (
	"context"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/secrets"
)

// backend is how the engine runs a target: the one property, sweep,
// state-machine and conformance code (crashprop.go, sweep.go, machine.go,
// conformance.go) drives either backend through env.
//
// A disk (*faults.MemFS) is the durable state between processes: with
// fsBackend the store lives on it; with opBackend (Target.OpLevelOnly)
// the store lives elsewhere and the disk holds the flag and a record of the
// store's content (settle), which start restores. Either way the engine
// clones a disk to try each crash point from the same start, takes its
// crash image and keys its verdict memo by its content.
type backend interface {
	// start opens the target in a new process on d under inj; the
	// process is returned even when Open fails (its op count is then that
	// of Open).
	start(ctx context.Context, d *faults.MemFS, inj faults.Injector) (*process, error)
	// fill makes the store behind p hold exactly m (p was opened on a
	// fresh disk by seed).
	fill(ctx context.Context, p secrets.Provider, m map[string]string) error
	// settle records on d the durable state of the store once the
	// processes on d have ended (or before the engine images or clones a
	// disk a live process still uses).
	settle(ctx context.Context, d *faults.MemFS)
	// seeded is settle on a disk just filled with m.
	seeded(d *faults.MemFS, m map[string]string) error
	// onDisk reports whether the store's files are on the disk: the
	// checks of its files (I4's file set, I8) apply.
	onDisk() bool
	// lossMode is the harshest crash the backend models: the mode of
	// the power cut after a retried migration.
	lossMode() faults.Mode
}

var (
	_ backend = fsBackend{}
	_ backend = opBackend{}
)

// process is one simulated process of a target: its filesystem and its
// provider (on opBackend, the provider wrapped by opfaults and a clock
// numbering the provider calls and the filesystem operations as one
// sequence). Its fields are set by backend.start and never changed; fs,
// the provider and the clock guard their own state.
type process struct {
	fs    *faults.FS
	p     secrets.Provider
	clock *opClock // opBackend only
}

// ops is the number of operations the process made (attempted),
// including a crashing or failing one: filesystem operations, and on
// opBackend provider calls too, in one sequence.
func (pr *process) ops() int {
	if pr.clock != nil {
		return pr.clock.count()
	}
	return pr.fs.Ops()
}

// writes is the number of operations the process made that can change
// what is stored: every filesystem operation counted but a sync (which
// changes no byte, only when the bytes become durable), and the mutating
// provider calls. I5's "a run on a migrated store performs no write"
// counts these: such a run may sync what it finds (migrate.FlagSyncer).
func (pr *process) writes() int {
	if pr.clock != nil {
		return pr.clock.mutations()
	}
	n := 0
	for _, op := range pr.fs.Log() {
		if op.Kind != faults.OpSync {
			n++
		}
	}
	return n
}

// crashed reports whether the process crashed.
func (pr *process) crashed() bool { return pr.fs.Crashed() }

// newBackend returns t's backend; an fs-level target's processes open
// their store with open (the env's, see Target.opener).
func newBackend(t Target, open func(afero.Fs) (secrets.Provider, error)) backend {
	if t.OpLevelOnly {
		return opBackend{t: t}
	}
	return fsBackend{t: t, open: open}
}
