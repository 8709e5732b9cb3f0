package faults

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// Entry is one path of a Files snapshot.
type Entry struct {
	Mode os.FileMode // type and permission bits (ModeDir for directories)
	Data []byte      // a private copy of a file's live content; nil for directories
	// Link, for the second and later names of one inode (hard links), is
	// the first name Files met it under (depth-first, entries by name);
	// "" otherwise.
	Link string
}

// Files returns every path of the live tree except the root, keyed by
// absolute slash path ("/dir/file"), with its mode and a copy of its
// content: for comparing file sets and scanning crash images.
func (m *MemFS) Files() map[string]Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]Entry)
	first := map[*inode]string{} // file inode -> its first name
	var walk func(prefix string, n *inode)
	walk = func(prefix string, n *inode) {
		for _, e := range n.entries {
			p := prefix + "/" + e.name
			ent := Entry{Mode: e.node.mode}
			if e.node.dir {
				walk(p, e.node)
			} else {
				if f, ok := first[e.node]; ok {
					ent.Link = f
				} else {
					first[e.node] = p
				}
				ent.Data = slices.Clone(e.node.data)
				if ent.Data == nil {
					ent.Data = []byte{}
				}
			}
			out[p] = ent
		}
	}
	walk("", m.rootLocked())
	return out
}

// String lists the live tree, one path a line in sorted order, with mode
// and size, and marks what a power loss would change: "(unsynced)" on a
// file whose data or mode is not durable, "(not durable)" on an entry its
// directory has not synced. It never prints file content.
func (m *MemFS) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	var walk func(prefix string, n *inode)
	walk = func(prefix string, n *inode) {
		for _, e := range n.entries {
			p := prefix + "/" + e.name
			c := e.node
			fmt.Fprintf(&b, "%s %s", c.mode, p)
			if !c.dir {
				fmt.Fprintf(&b, " %dB", len(c.data))
			}
			if len(c.pending) > 0 {
				b.WriteString(" (unsynced)")
			}
			if i, ok := findEntry(n.durable, e.name); !ok || n.durable[i].node != c {
				b.WriteString(" (not durable)")
			}
			b.WriteByte('\n')
			if c.dir {
				walk(p, c)
			}
		}
	}
	walk("", m.rootLocked())
	return b.String()
}
