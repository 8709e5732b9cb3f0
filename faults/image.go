package faults

import (
	"math/rand/v2"
	"os"
	"slices"
)

// Clone returns an independent copy of the disk with everything it tracks:
// live and durable state and the unsynced changes in between, so that a
// crash image taken from the clone later is the one the original would
// give. Open handles and held locks are not copied (they belong to
// processes). Cost: one small allocation per inode and per directory
// listing; file bytes are shared copy-on-write.
func (m *MemFS) Clone() *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	return &MemFS{root: cloneNode(m.rootLocked(), m.gen), tick: m.tick}
}

// cloneNode copies n and everything reachable from it (live, durable and
// pending), keeping inode identity. Caller holds the disk's mu.
func cloneNode(n *inode, gen uint64) *inode {
	if n == nil {
		return nil
	}
	if n.cloneGen == gen {
		return n.clone
	}
	c := &inode{
		dir:        n.dir,
		mode:       n.mode,
		modTime:    n.modTime,
		data:       n.data,
		syncedData: n.syncedData,
		syncedMode: n.syncedMode,
	}
	n.owned = false
	n.cloneGen, n.clone = gen, c
	if !n.dir {
		c.pending = n.pending[:len(n.pending):len(n.pending)]
		return c
	}
	c.entries = cloneEntries(n.entries, gen)
	if n.shared {
		c.durable, c.shared = c.entries, true
	} else {
		c.durable = cloneEntries(n.durable, gen)
	}
	if len(n.pending) > 0 {
		c.pending = make([]change, len(n.pending))
		for i, ch := range n.pending {
			ch.node = cloneNode(ch.node, gen)
			c.pending[i] = ch
		}
	}
	return c
}

func cloneEntries(es []dirent, gen uint64) []dirent {
	if es == nil {
		return nil
	}
	out := make([]dirent, len(es))
	for i, e := range es {
		out[i] = dirent{name: e.name, node: cloneNode(e.node, gen)}
	}
	return out
}

// CrashImage returns the disk a restarted machine sees after a crash in
// the given mode, as a new MemFS in which everything is durable (no
// pending changes). m itself is not changed, so several images (different
// modes or seeds) can be taken from one crashed disk.
//
//   - Process, Torn: the live state.
//   - Power: synced file data and modes, durable directory entries.
//   - PowerPartial: per inode, in sorted path order, one draw from rng
//     picks how many of its unsynced changes (a prefix, 0..all) persist on
//     top of its synced state. rng nil means a fixed seed (0, 0). The same
//     disk and rng seed always give the same image.
//
// An inode reachable under two names in the image (only possible after a
// rename between directories) becomes two independent files.
func (m *MemFS) CrashImage(mode Mode, rng *rand.Rand) *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	root := m.rootLocked()
	var img *inode
	switch mode {
	case Power:
		img = imagePower(root)
	case PowerPartial:
		if rng == nil {
			rng = rand.New(rand.NewPCG(0, 0))
		}
		img = imagePartial(root, rng)
	default:
		img = imageLive(root)
	}
	return &MemFS{root: img, tick: m.tick}
}

// durableNode returns a fully synced inode with the given state.
func durableNode(n *inode, mode Mode, data []byte, entries []dirent) *inode {
	return &inode{
		dir: n.dir, mode: mode2(n, mode), syncedMode: mode2(n, mode), modTime: n.modTime,
		data: data, syncedData: data,
		entries: entries, durable: entries, shared: entries != nil,
	}
}

// mode2 returns n's live or synced mode for an image of the given mode.
func mode2(n *inode, mode Mode) os.FileMode {
	if mode == Power {
		return n.syncedMode
	}
	return n.mode
}

func imageLive(n *inode) *inode {
	n.owned = false
	return durableNode(n, Process, n.data, mapEntries(n.entries, imageLive))
}

func imagePower(n *inode) *inode {
	return durableNode(n, Power, n.syncedData, mapEntries(n.durable, imagePower))
}

func mapEntries(es []dirent, f func(*inode) *inode) []dirent {
	if es == nil {
		return nil
	}
	out := make([]dirent, len(es))
	for i, e := range es {
		out[i] = dirent{name: e.name, node: f(e.node)}
	}
	return out
}

func imagePartial(n *inode, rng *rand.Rand) *inode {
	k := 0
	if len(n.pending) > 0 {
		k = rng.IntN(len(n.pending) + 1)
	}
	keep := n.pending[:k]
	mode := n.syncedMode
	if !n.dir {
		data := n.syncedData
		copied := false
		for _, ch := range keep {
			switch ch.kind {
			case chChmod:
				mode = ch.mode
				continue
			case chWrite, chTruncate:
				if !copied {
					data, copied = slices.Clone(data), true
				}
			}
			if ch.kind == chWrite {
				data = writeBytes(data, ch.data, int(ch.off))
			} else {
				data = resize(data, int(ch.off))
			}
		}
		return &inode{mode: mode, syncedMode: mode, modTime: n.modTime, data: data, syncedData: data}
	}
	es := n.durable
	copied := false
	for _, ch := range keep {
		if ch.kind == chChmod {
			mode = ch.mode
			continue
		}
		if !copied {
			es, copied = slices.Clone(es), true
		}
		if ch.del != "" {
			es = dropEntry(es, ch.del)
		}
		if ch.add != "" {
			es = putEntry(es, ch.add, ch.node)
		}
	}
	out := make([]dirent, len(es))
	for i, e := range es {
		out[i] = dirent{name: e.name, node: imagePartial(e.node, rng)}
	}
	return &inode{
		dir: true, mode: mode, syncedMode: mode, modTime: n.modTime,
		entries: out, durable: out, shared: true,
	}
}
