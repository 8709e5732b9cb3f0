package harness

import (
	"encoding/binary"
	"slices"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// maxMemo bounds the images a convergenceMemo remembers (memory stays
// flat however many states a sweep explores); past it, new images are
// checked but no longer remembered.
const maxMemo = 1 << 14

// convergenceMemo remembers, for one initial state of one sweep, the disk
// images on which sweeper.complete passed, keyed by the exact content of
// the image (faults.MemFS.AppendContent: every path, mode and byte), with
// the number of operations of the complete run.
//
// It is sound because complete is a pure function of the initial state and
// of what the migration's processes can read on the disk: it restarts the
// target on a copy of the image, runs the migration to the end without
// faults, and checks I4 and I5. Two crash points that leave byte-identical
// images (a crash just before or just after an fsync, in process mode, for
// instance) would get the same verdict; the memo checks such an image once.
// Every crash state is still produced and checked on its own (readable,
// I1–I3, I6, I8): only the convergence run after it is shared. Failures are
// never remembered (the sweep stops at the first one). The zero value is
// empty; reset must be called when the initial state changes.
type convergenceMemo struct {
	ops map[string]int // image content -> operations of its complete run
	buf []byte         // scratch for keys
}

func (c *convergenceMemo) reset() { clear(c.ops) }

// key returns the content of d in c's scratch buffer (valid until the next
// call).
func (c *convergenceMemo) key(d *faults.MemFS) []byte {
	c.buf = d.AppendContent(c.buf[:0])
	return c.buf
}

// completeOnce is complete on d, skipped (with the remembered operation
// count) when an image with the same content already passed for this
// initial state. With clone, complete runs on a clone and d is not
// changed; without, on d itself (a disk other processes may still hold
// locks or handles on, as after an injected error).
func (sw *sweeper) completeOnce(s0 model.State, d *faults.MemFS, sched []string, clone bool) (int, *failure) {
	k := sw.done.key(d)
	if n, ok := sw.done.ops[string(k)]; ok {
		return n, nil
	}
	run := d
	if clone {
		run = d.Clone()
	}
	n, f := sw.complete(s0, run, sched)
	if f == nil && len(sw.done.ops) < maxMemo {
		if sw.done.ops == nil {
			sw.done.ops = make(map[string]int)
		}
		sw.done.ops[string(k)] = n
	}
	return n, f
}

// checkMemo remembers, for one initial state, the observed states that
// passed the model's checks (I1–I3: model.CheckAll, a pure function of the
// initial state, the observed state and the policy), keyed by the exact
// observed state: every key, every value, the flag, the config's bytes. Each crash image is
// still restarted and read through the provider on its own (observe:
// readable, every listed key readable, I7); only the comparison of an
// already-seen observation with the model is shared. Failures are never
// remembered. The zero value is empty; reset when the initial state
// changes.
type checkMemo struct {
	passed map[string]struct{} // observed states that passed
	buf    []byte              // scratch for keys
	keys   []string            // scratch for sorting
}

func (c *checkMemo) reset() { clear(c.passed) }

// key returns the encoding of st in c's scratch buffer (valid until the
// next call): the flag, then every key and value, sorted, length-prefixed.
func (c *checkMemo) key(st model.State) []byte {
	c.keys = c.keys[:0]
	for k := range st.Secrets {
		c.keys = append(c.keys, k)
	}
	slices.Sort(c.keys)
	b := c.buf[:0]
	if st.Migrated {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	if st.Config.Exists {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(st.Config.Text)))
	b = append(b, st.Config.Text...)
	for _, k := range c.keys {
		v := st.Secrets[k]
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	clear(c.keys)
	c.buf = b
	return b
}

// checkState is env.checkImage (I7 on a read error, else I1–I3), with the
// verdict of an exactly equal observed state shared.
func (sw *sweeper) checkState(s0, st model.State, readErr error) []model.Violation {
	if readErr != nil {
		return sw.e.checkImage(s0, st, readErr)
	}
	k := sw.checked.key(st)
	if _, ok := sw.checked.passed[string(k)]; ok {
		return nil
	}
	vs := sw.e.checkImage(s0, st, nil)
	if len(vs) == 0 && len(sw.checked.passed) < maxMemo {
		if sw.checked.passed == nil {
			sw.checked.passed = make(map[string]struct{})
		}
		sw.checked.passed[string(k)] = struct{}{}
	}
	return vs
}
