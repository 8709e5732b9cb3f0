package faults

// arena hands out inodes and entry slices carved from a few large
// allocations, so that a clone or crash image of a small tree costs a
// handful of allocations instead of one per inode. Sizes are hints: it
// allocates more when they are exceeded.
type arena struct {
	nodes []inode
	ents  []dirent
}

func newArena(nodes, ents int) arena {
	return arena{nodes: make([]inode, nodes), ents: make([]dirent, ents)}
}

// node returns a zeroed inode.
func (a *arena) node() *inode {
	if len(a.nodes) == 0 {
		a.nodes = make([]inode, 8)
	}
	n := &a.nodes[0]
	a.nodes = a.nodes[1:]
	return n
}

// entries returns a slice of k zeroed entries whose capacity is k, so that
// appending to it never writes into a neighbour's slice. k == 0 gives nil.
func (a *arena) entries(k int) []dirent {
	if k == 0 {
		return nil
	}
	if len(a.ents) < k {
		a.ents = make([]dirent, max(k, 16))
	}
	e := a.ents[:k:k]
	a.ents = a.ents[k:]
	return e
}
