package faults

import (
	"math/rand/v2"
	"slices"
)

// Clone returns an independent copy of the disk with everything it tracks:
// live and durable state and the unsynced changes in between, so that a
// crash image taken from the clone later is the one the original would
// give. Open handles and held locks are not copied (they belong to
// processes). Cost: a few allocations for the whole tree; file bytes are
// shared copy-on-write.
func (m *MemFS) Clone() *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	root := m.rootLocked()
	m.gen++
	nodes, ents := countClone(root, m.gen)
	a := newArena(nodes, ents)
	return &MemFS{root: cloneNode(&a, root, m.gen), tick: m.tick}
}

// countClone counts the distinct inodes reachable from n (live, durable
// and pending) and their entries, marking them with gen. Caller holds the
// disk's mu.
func countClone(n *inode, gen uint64) (nodes, ents int) {
	if n == nil || n.cloneGen == gen {
		return 0, 0
	}
	n.cloneGen, n.clone = gen, nil
	nodes = 1
	if !n.dir {
		return nodes, 0
	}
	ents = len(n.entries)
	if !n.shared {
		ents += len(n.durable)
	}
	add := func(c *inode) {
		cn, ce := countClone(c, gen)
		nodes, ents = nodes+cn, ents+ce
	}
	for _, e := range n.entries {
		add(e.node)
	}
	for _, e := range n.durable {
		add(e.node)
	}
	for _, ch := range n.pending {
		add(ch.node)
	}
	return nodes, ents
}

// cloneNode copies n and everything reachable from it, keeping inode
// identity; countClone(n, gen) must have run first. Caller holds the
// disk's mu.
func cloneNode(a *arena, n *inode, gen uint64) *inode {
	if n == nil {
		return nil
	}
	if n.cloneGen == gen && n.clone != nil {
		return n.clone
	}
	c := a.node()
	*c = inode{
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
	c.entries = cloneEntries(a, n.entries, gen)
	if n.shared {
		c.durable, c.shared = c.entries, true
	} else {
		c.durable = cloneEntries(a, n.durable, gen)
	}
	if len(n.pending) > 0 {
		c.pending = make([]change, len(n.pending))
		for i, ch := range n.pending {
			ch.node = cloneNode(a, ch.node, gen)
			c.pending[i] = ch
		}
	}
	return c
}

func cloneEntries(a *arena, es []dirent, gen uint64) []dirent {
	out := a.entries(len(es))
	for i, e := range es {
		out[i] = dirent{name: e.name, node: cloneNode(a, e.node, gen)}
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
// A file reachable under several names in the image (hard links, or a
// rename between directories) stays one inode (and one draw).
func (m *MemFS) CrashImage(mode Mode, rng *rand.Rand) *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	root := m.rootLocked()
	m.gen++
	gen := m.gen
	var img *inode
	switch mode {
	case Power:
		a := newArena(countTree(root, true))
		img = imageTree(&a, root, true, gen)
	case PowerPartial:
		if rng == nil {
			rng = rand.New(rand.NewPCG(0, 0))
		}
		a := newArena(countPartial(root))
		img = imagePartial(&a, root, rng, gen)
	default:
		a := newArena(countTree(root, false))
		img = imageTree(&a, root, false, gen)
	}
	return &MemFS{root: img, tick: m.tick}
}

// listing returns n's durable or live entries.
func (n *inode) listing(durable bool) []dirent {
	if durable {
		return n.durable
	}
	return n.entries
}

// countTree counts the inodes and entries of the live (or durable) tree.
func countTree(n *inode, durable bool) (nodes, ents int) {
	nodes = 1
	es := n.listing(durable)
	ents = len(es)
	for _, e := range es {
		cn, ce := countTree(e.node, durable)
		nodes, ents = nodes+cn, ents+ce
	}
	return nodes, ents
}

// imageTree returns the live (or durable) tree of n as durable inodes; a
// file met twice (marked with gen) is one inode. Caller holds the disk's
// mu.
func imageTree(a *arena, n *inode, durable bool, gen uint64) *inode {
	if !n.dir && n.cloneGen == gen && n.clone != nil {
		return n.clone
	}
	c := a.node()
	if !n.dir {
		n.cloneGen, n.clone = gen, c
	}
	c.dir, c.modTime = n.dir, n.modTime
	if durable {
		c.mode, c.data = n.syncedMode, n.syncedData
	} else {
		c.mode, c.data = n.mode, n.data
		n.owned = false
	}
	c.syncedMode, c.syncedData = c.mode, c.data
	if n.dir {
		es := n.listing(durable)
		out := a.entries(len(es))
		for i, e := range es {
			out[i] = dirent{name: e.name, node: imageTree(a, e.node, durable, gen)}
		}
		c.entries, c.durable, c.shared = out, out, true
	}
	return c
}

// countPartial bounds the inodes and entries of any partial image of n.
func countPartial(n *inode) (nodes, ents int) {
	nodes = 1
	if !n.dir {
		return nodes, 0
	}
	add := func(c *inode) {
		cn, ce := countPartial(c)
		nodes, ents = nodes+cn, ents+ce
	}
	ents = len(n.durable)
	for _, e := range n.durable {
		add(e.node)
	}
	for _, ch := range n.pending {
		if ch.add != "" {
			ents++
			add(ch.node)
		}
	}
	return nodes, ents
}

// imagePartial returns n with a seeded prefix of its pending changes
// applied on its synced state, recursively in name order; a file met
// twice (marked with gen) is one inode, drawn once. Caller holds the
// disk's mu.
func imagePartial(a *arena, n *inode, rng *rand.Rand, gen uint64) *inode {
	if !n.dir && n.cloneGen == gen && n.clone != nil {
		return n.clone
	}
	k := 0
	if len(n.pending) > 0 {
		k = rng.IntN(len(n.pending) + 1)
	}
	keep := n.pending[:k]
	c := a.node()
	if !n.dir {
		n.cloneGen, n.clone = gen, c
	}
	c.dir, c.modTime = n.dir, n.modTime
	mode := n.syncedMode
	if !n.dir {
		data, copied := n.syncedData, false
		for _, ch := range keep {
			if ch.kind == chChmod {
				mode = ch.mode
				continue
			}
			if !copied {
				data, copied = slices.Clone(data), true
			}
			if ch.kind == chWrite {
				data = writeBytes(data, ch.data, int(ch.off))
			} else {
				data = resize(data, int(ch.off))
			}
		}
		c.data, c.syncedData = data, data
	} else {
		es, copied := n.durable, false
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
		out := a.entries(len(es))
		for i, e := range es {
			out[i] = dirent{name: e.name, node: imagePartial(a, e.node, rng, gen)}
		}
		c.entries, c.durable, c.shared = out, out, true
	}
	c.mode, c.syncedMode = mode, mode
	return c
}
