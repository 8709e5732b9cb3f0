package harness

import (
	"sync"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// hygiene is the I8 record of one concurrent run: the disk is scanned
// right after each process crash, while that process still holds the
// scheduler's token (so before any other process reopens the store), and
// once more at the end. Safe for concurrent use.
type hygiene struct {
	e    *env
	d    *faults.MemFS
	vals model.Values // every value the case can write

	mu sync.Mutex        // guards vs
	vs []model.Violation // the first scan's violations that failed
}

func newHygiene(e *env, d *faults.MemFS, c ccase) *hygiene {
	vals := valueSet(c.S0, e.model.Migrate(c.S0, e.policy))
	for _, w := range c.Workers {
		for _, op := range w.Ops {
			vals.Add(op.Key, op.Value)
		}
	}
	return &hygiene{e: e, d: d, vals: vals}
}

// scan checks the disk now; only the first failing scan is kept.
func (h *hygiene) scan() {
	if h == nil {
		return
	}
	vs := h.e.checkHygiene(h.d, h.vals)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.vs) == 0 {
		h.vs = vs
	}
}

func (h *hygiene) violations() []model.Violation {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.vs
}
