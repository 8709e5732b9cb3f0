package faults

import (
	"encoding/binary"
	"os"
)

// AppendContent appends to dst a canonical encoding of the disk's live
// tree and returns the extended slice: every directory and file in sorted
// path order with its name, its mode (type and permission bits) and, for a
// file, its exact bytes. Two disks have equal encodings exactly when a
// process sees the same names, modes and bytes on them.
//
// File times and durability (what a power loss would drop) are not part of
// the encoding: it keys results that depend only on what a process reads,
// e.g. a memo of "run the migration to the end on this image" (a crash
// image is entirely durable anyway). A caller whose result depends on
// modification times must not use it as a key.
func (m *MemFS) AppendContent(dst []byte) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return appendNode(dst, 0, "", m.rootLocked())
}

// appendNode encodes n and its subtree in pre-order: depth, name, mode,
// and for a file its length and bytes. Caller holds the disk's mu.
func appendNode(dst []byte, depth int, name string, n *inode) []byte {
	dst = binary.AppendUvarint(dst, uint64(depth))
	dst = binary.AppendUvarint(dst, uint64(len(name)))
	dst = append(dst, name...)
	dst = binary.AppendUvarint(dst, uint64(n.mode))
	if !n.dir {
		dst = binary.AppendUvarint(dst, uint64(len(n.data)))
		return append(dst, n.data...)
	}
	for _, e := range n.entries {
		dst = appendNode(dst, depth+1, e.name, e.node)
	}
	return dst
}

// VisitFiles calls fn for every file (every non-directory) of the live
// tree, depth first in name order, with its absolute slash path, its mode,
// the mode of the directory holding it, and its bytes. It stops at the
// first error fn returns and returns it.
//
// data is the disk's own copy-on-write content: fn must neither modify nor
// keep it, and must not call methods of m (the disk is locked during the
// walk). It is the allocation-free way to scan or list a crash image.
func (m *MemFS) VisitFiles(fn func(path string, mode, dirMode os.FileMode, data []byte) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var buf [256]byte
	return visitFiles(buf[:0], m.rootLocked(), fn)
}

// visitFiles visits the files below directory n, whose path is prefix
// (a scratch buffer: only the paths of files become strings). Caller holds
// the disk's mu.
func visitFiles(prefix []byte, n *inode, fn func(string, os.FileMode, os.FileMode, []byte) error) error {
	for _, e := range n.entries {
		p := append(append(prefix, '/'), e.name...)
		if e.node.dir {
			if err := visitFiles(p, e.node, fn); err != nil {
				return err
			}
			continue
		}
		if err := fn(string(p), e.node.mode, n.mode, e.node.data); err != nil {
			return err
		}
	}
	return nil
}
