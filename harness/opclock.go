package harness

import (
	"sync"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/faults/opfaults"
)

// opClock is the faults.Injector of one op-level process: its FS and its
// opfaults.Provider both ask it, and it numbers their operations as one
// sequence before asking the plan. When the plan crashes the process at
// either, it crashes the other too (process mode): an op-level provider
// keeps no state on that filesystem, so crashing it when the operation is
// decided (rather than after a crash-after call returns) makes no
// difference to what survives.
type opClock struct {
	inner faults.Injector

	mu     sync.Mutex         // guards the fields below
	n      int                // operations numbered
	writes int                // of which mutating
	fs     *faults.FS         // the process's filesystem, once linked
	w      *opfaults.Provider // the process's provider, once linked
}

var _ faults.Injector = (*opClock)(nil)

// link sets the two sides of the process.
func (c *opClock) link(fs *faults.FS, w *opfaults.Provider) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fs, c.w = fs, w
}

func (c *opClock) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *opClock) mutations() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

// Inject implements faults.Injector: op gets the next index of the
// process, then the plan decides.
func (c *opClock) Inject(op faults.Op) faults.Action {
	c.mu.Lock()
	op.Index = c.n
	c.n++
	if mutating(op.Kind) {
		c.writes++
	}
	fs, w := c.fs, c.w
	c.mu.Unlock()
	a := c.inner.Inject(op)
	if a.Kind == faults.Crash {
		if isCall(op.Kind) && fs != nil {
			fs.Crash(faults.Process, 0) // the provider crashes itself
		} else if !isCall(op.Kind) && w != nil {
			w.Crash() // the filesystem crashes itself
		}
	}
	return a
}

// String implements faults.Injector.
func (c *opClock) String() string { return c.inner.String() }

// isCall reports whether k is a provider call.
func isCall(k faults.OpKind) bool { return k >= faults.OpGetSecret }

// mutating reports whether an operation of kind k may change the state: a
// filesystem operation (FS counts only those) or a provider call that
// writes.
func mutating(k faults.OpKind) bool {
	switch k {
	case faults.OpGetSecret, faults.OpListSecrets, faults.OpCapabilities, faults.OpSync:
		return false
	}
	return true
}
