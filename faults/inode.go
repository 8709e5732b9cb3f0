package faults

import (
	"os"
	"slices"
	"strings"
)

// changeKind is the kind of one unsynced change of an inode.
type changeKind uint8

const (
	chWrite    changeKind = iota // file: data written at off
	chTruncate                   // file: size set to off
	chChmod                      // file or directory: mode set
	chEntry                      // directory: entry del removed, then entry add set to node
)

// change is one unsynced change, kept in order until the inode is synced.
// Its byte slice is immutable.
type change struct {
	kind changeKind
	off  int64       // chWrite: offset; chTruncate: new size
	data []byte      // chWrite: the bytes (a private copy)
	mode os.FileMode // chChmod: the new mode
	del  string      // chEntry: name removed ("" = none)
	add  string      // chEntry: name set ("" = none)
	node *inode      // chEntry: the inode bound to add
}

// dirent is one directory entry.
type dirent struct {
	name string
	node *inode
}

// inode is a file or a directory. Every field is guarded by the mu of the
// one MemFS that owns the inode; inodes are never shared between disks.
//
// Byte and entry slices are shared copy-on-write: syncedData, change data
// and durable are never modified in place; data is modified in place only
// while owned is true, entries only while shared is false.
type inode struct {
	dir     bool
	mode    os.FileMode // live mode (type bits | permission bits)
	modTime int64       // live modification time, Unix ns (not modelled for durability)

	// Files.
	data       []byte // live content
	owned      bool   // data's backing array is referenced by nothing else
	syncedData []byte // content at the last Sync (durable)

	// Directories.
	entries []dirent // live entries, sorted by name
	shared  bool     // entries is also referenced elsewhere (then durable == entries)
	durable []dirent // entries at the last Sync, sorted by name

	syncedMode os.FileMode // mode at the last Sync (or creation)
	pending    []change    // changes since the last Sync, in order

	// Scratch for Clone (identity of inodes reachable twice).
	cloneGen uint64
	clone    *inode
}

func newFile(mode os.FileMode, now int64) *inode {
	return &inode{mode: mode, syncedMode: mode, modTime: now, owned: true}
}

func newDir(mode os.FileMode, now int64) *inode {
	return &inode{dir: true, mode: mode, syncedMode: mode, modTime: now}
}

// lookup returns the child called name.
func (n *inode) lookup(name string) *inode {
	if i, ok := findEntry(n.entries, name); ok {
		return n.entries[i].node
	}
	return nil
}

// findEntry returns the position of name in the sorted entries es, or
// where it would be inserted: a linear scan for the small directories of a
// store (cheaper than a binary search's compare calls), binary above.
func findEntry(es []dirent, name string) (int, bool) {
	if len(es) <= 8 {
		for i := range es {
			if es[i].name >= name {
				return i, es[i].name == name
			}
		}
		return len(es), false
	}
	return slices.BinarySearchFunc(es, name, func(e dirent, name string) int {
		return strings.Compare(e.name, name)
	})
}

// own makes the live entries private before an in-place change.
func (n *inode) ownEntries() {
	if n.shared {
		n.entries = slices.Clone(n.entries)
		n.shared = false
	}
}

// setEntries binds name to child in the live entries (no change recorded).
func (n *inode) setEntry(name string, child *inode) {
	n.ownEntries()
	n.entries = putEntry(n.entries, name, child)
}

func putEntry(es []dirent, name string, child *inode) []dirent {
	i, ok := findEntry(es, name)
	if ok {
		es[i].node = child
		return es
	}
	return slices.Insert(es, i, dirent{name: name, node: child})
}

// delEntry removes name from the live entries (no change recorded).
func (n *inode) delEntry(name string) {
	n.ownEntries()
	n.entries = dropEntry(n.entries, name)
}

func dropEntry(es []dirent, name string) []dirent {
	if i, ok := findEntry(es, name); ok {
		return slices.Delete(es, i, i+1)
	}
	return es
}

// link records and applies an entry change: del removed, then add bound to
// child. Either name may be empty.
func (n *inode) link(del, add string, child *inode, now int64) {
	if del != "" {
		n.delEntry(del)
	}
	if add != "" {
		n.setEntry(add, child)
	}
	n.modTime = now
	n.pending = append(n.pending, change{kind: chEntry, del: del, add: add, node: child})
}

// ownData makes the live data private before an in-place change, with room
// for size bytes.
func (n *inode) ownData(size int) {
	if n.owned {
		return
	}
	d := make([]byte, len(n.data), max(size, len(n.data)))
	copy(d, n.data)
	n.data = d
	n.owned = true
}

// writeAt writes p at off, zero-filling a gap, and records the change.
func (n *inode) writeAt(p []byte, off int64, now int64) {
	end := int(off) + len(p)
	n.ownData(end)
	n.data = writeBytes(n.data, p, int(off))
	n.modTime = now
	n.pending = append(n.pending, change{kind: chWrite, off: off, data: slices.Clone(p)})
}

// writeBytes writes p at off in d, growing d (zero-filled) as needed. d must
// be private.
func writeBytes(d, p []byte, off int) []byte {
	if end := off + len(p); end > len(d) {
		d = resize(d, end)
	}
	copy(d[off:], p)
	return d
}

// resize returns d with length size; new bytes are zero. d must be private.
func resize(d []byte, size int) []byte {
	if size <= len(d) {
		return d[:size]
	}
	old := len(d)
	d = slices.Grow(d, size-old)[:size]
	clear(d[old:])
	return d
}

// truncate sets the size and records the change.
func (n *inode) truncate(size int64, now int64) {
	n.ownData(int(size))
	n.data = resize(n.data, int(size))
	n.modTime = now
	n.pending = append(n.pending, change{kind: chTruncate, off: size})
}

// chmod sets the permission bits and records the change.
func (n *inode) chmod(mode os.FileMode) {
	n.mode = mode
	n.pending = append(n.pending, change{kind: chChmod, mode: mode})
}

// sync makes the live state durable.
func (n *inode) sync() {
	if n.dir {
		n.durable = n.entries
		n.shared = true
	} else {
		n.syncedData = n.data
		n.owned = false
	}
	n.syncedMode = n.mode
	n.pending = nil
}
