package harness

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"maps"
	"slices"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// maxMemo bounds the entries each memo of a sweeper remembers (memory
// stays flat however many states a sweep explores); past it, new verdicts
// are computed but no longer remembered.
const maxMemo = 1 << 14

// maxAfter bounds the images a memo keeps (crashVerdict.after: an image a
// checking restart wrote to): past it, such verdicts are not remembered,
// and those images are checked afresh every time.
const maxAfter = 1 << 10

// verdictKey is the SHA-256 of what a verdict is a pure function of: the
// kind of check, the expected state (the initial state, from which the
// model derives Migrate(S0) and the values I8 scans for; hashed in as the
// SHA-256 of its exact encoding, computed once per initial state) and the
// exact content of a crash image (faults.MemFS.AppendContent: every path, mode
// and byte) or of an observed state.
type verdictKey [sha256.Size]byte

// Kinds of verdict, the first byte hashed into a verdictKey.
const (
	kindCrash    byte = 'c' // a crash image's checks: readable (I7), I8, I1–I3
	kindComplete byte = 'r' // the complete run from an image: I4, I5
	kindObserved byte = 'o' // an observed state's model check: I1–I3
)

// memo is a sweeper's verdict cache. Every verdict it holds is a pure
// function of its key: the checks run a restarted target on a copy of the
// image (or compare an observation with the model), and a simulated
// process sees nothing but the image's names, modes and bytes. So two
// crash points that leave byte-identical images (a crash just before or
// just after an fsync, in process mode, for instance; or the same image
// reached in two modes) get the same verdict, and the memo computes it
// once. Only passing verdicts are remembered: a failure is always found by
// a fresh check, which is what gets reported. The zero value is empty and
// ready; with off set it remembers nothing (every check fresh: the test
// that a cached verdict equals a fresh one).
type memo struct {
	off      bool
	crash    map[verdictKey]crashVerdict // kindCrash
	complete map[verdictKey]int          // kindComplete: operations of the complete run
	observed map[verdictKey]struct{}     // kindObserved: passed
	after    int                         // crash verdicts holding an image
	h        hash.Hash                   // scratch
	buf      []byte                      // scratch for image encodings
	keys     []string                    // scratch for sorting
}

// crashVerdict is a crash image whose checks passed.
type crashVerdict struct {
	// after is the image as the checking restart left it when that
	// restart wrote to it (a store that removes a crash's stale temp files
	// on open, say), nil when it wrote nothing. The sweep goes on from the
	// image after the restart, so a hit must go on from the same bytes.
	// Never changed once stored (the sweep clones it before every run).
	after *faults.MemFS
	// isWant: the image reads exactly as Migrate(S0), flag included (what
	// I6 asks of an image taken after a migration returned).
	isWant bool
}

// reset forgets every verdict (keeping the scratch buffers).
func (m *memo) reset() {
	m.after = 0
	clear(m.crash)
	clear(m.complete)
	clear(m.observed)
}

// key hashes kind, the expected state's encoding and content.
func (m *memo) key(kind byte, exp, content []byte) verdictKey {
	if m.h == nil {
		m.h = sha256.New()
	}
	m.h.Reset()
	var n [binary.MaxVarintLen64 + 1]byte
	n[0] = kind
	m.h.Write(binary.AppendUvarint(n[:1], uint64(len(exp))))
	m.h.Write(exp)
	m.h.Write(content)
	var k verdictKey
	m.h.Sum(k[:0])
	return k
}

// imageKey is the key of kind on image d for expectations x.
func (m *memo) imageKey(kind byte, x *expected, d *faults.MemFS) verdictKey {
	m.buf = d.AppendContent(m.buf[:0])
	return m.key(kind, m.expKey(x), m.buf)
}

// stateKey is the key of the observed state st for expectations x.
func (m *memo) stateKey(x *expected, st model.State) verdictKey {
	m.buf = appendState(m.buf[:0], st, &m.keys)
	return m.key(kindObserved, m.expKey(x), m.buf)
}

// expKey is the SHA-256 of x's initial state encoded, computed once (a
// store of 200 keys encodes to kilobytes: hashing the digest instead
// keeps each key's cost that of the content).
func (m *memo) expKey(x *expected) []byte {
	if x.key == nil {
		sum := sha256.Sum256(appendState(nil, x.s0, &m.keys))
		x.key = sum[:]
	}
	return x.key
}

// appendState appends an exact encoding of st: the flag, the config
// (present, and its bytes), then every key and value, sorted,
// length-prefixed (no two states share one). keys is scratch.
func appendState(b []byte, st model.State, keys *[]string) []byte {
	ks := (*keys)[:0]
	for k := range st.Secrets {
		ks = append(ks, k)
	}
	slices.Sort(ks)
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
	for _, k := range ks {
		v := st.Secrets[k]
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	clear(ks)
	*keys = ks
	return b
}

// remember stores v in mp unless the memo is off or mp is full.
func remember[V any](m *memo, mp *map[verdictKey]V, k verdictKey, v V) {
	if m.off || len(*mp) >= maxMemo {
		return
	}
	if *mp == nil {
		*mp = make(map[verdictKey]V)
	}
	(*mp)[k] = v
}

// completeOnce is complete on d, skipped (with the remembered operation
// count) when an image with the same content already passed for the same
// initial state. With clone, complete runs on a clone and d is not
// changed; without, on d itself (a disk other processes may still hold
// locks or handles on, as after an injected error).
func (sw *sweeper) completeOnce(s0 model.State, d *faults.MemFS, sched []string, clone bool) (int, *failure) {
	k := sw.memo.imageKey(kindComplete, sw.expect(s0), d)
	if n, ok := sw.memo.complete[k]; ok {
		return n, nil
	}
	run := d
	if clone {
		run = d.Clone()
	}
	n, f := sw.complete(s0, run, sched)
	if f == nil {
		remember(&sw.memo, &sw.memo.complete, k, n)
	}
	return n, f
}

// checkState is env.checkImage (I7 on a read error, else I1–I3), with the
// verdict of an exactly equal observed state shared. Each crash image is
// still restarted and read through the provider on its own (observe);
// only the comparison of an already-seen observation with the model is
// shared.
func (sw *sweeper) checkState(s0, st model.State, readErr error) []model.Violation {
	if readErr != nil {
		return sw.e.checkImage(s0, st, readErr)
	}
	k := sw.memo.stateKey(sw.expect(s0), st)
	if _, ok := sw.memo.observed[k]; ok {
		return nil
	}
	vs := sw.e.checkImage(s0, st, nil)
	if len(vs) == 0 {
		remember(&sw.memo, &sw.memo.observed, k, struct{}{})
	}
	return vs
}

// checkCrash checks the crash image img of a run from s0: hygiene (I8),
// readable through a restarted provider (I7), I1–I3 against the model,
// and, when the crash came after the run returned nil (afterReturn), that
// the migrated state survived (I6). It returns the image as the checking
// restart left it (what the sweep goes on from: a restart may remove a
// crash's leftovers) and the violations. An image whose checks already
// passed for the same initial state is not checked again (sw.reused counts
// it); a crash state is counted either way.
func (sw *sweeper) checkCrash(s0 model.State, img *faults.MemFS, vals model.Values, afterReturn bool) (*faults.MemFS, []model.Violation) {
	sw.states++
	x := sw.expect(s0)
	k := sw.memo.imageKey(kindCrash, x, img)
	if v, ok := sw.memo.crash[k]; ok && (v.isWant || !afterReturn) {
		sw.reused++
		if v.after != nil {
			return v.after, nil
		}
		return img, nil
	}
	vs := sw.e.checkHygiene(img, vals)
	st, writes, rerr := sw.e.observeWrites(img)
	vs = append(vs, sw.checkState(s0, st, rerr)...)
	if afterReturn && rerr == nil {
		for _, d := range model.Diff(x.want, st) {
			vs = append(vs, model.Violation{ID: model.I6, Detail: "a migration that returned did not survive the crash: " + d})
		}
	}
	if len(vs) == 0 {
		v := crashVerdict{isWant: rerr == nil && readsAs(x.want, st)}
		switch {
		case writes == 0:
			remember(&sw.memo, &sw.memo.crash, k, v)
		case sw.memo.after < maxAfter && !sw.memo.off && len(sw.memo.crash) < maxMemo:
			v.after = img
			sw.memo.after++
			remember(&sw.memo, &sw.memo.crash, k, v)
		}
	}
	return img, vs
}

// readsAs reports whether model.Diff(want, st) is empty, without sorting
// every key when st differs in its flag or its keys and values (a map
// comparison settles those) or is exactly want.
func readsAs(want, st model.State) bool {
	if want.Migrated != st.Migrated || !maps.Equal(want.Secrets, st.Secrets) {
		return false
	}
	return want.Config == st.Config || len(model.Diff(want, st)) == 0
}
