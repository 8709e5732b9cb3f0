package faults

import (
	"os"
	"syscall"
)

// Hard links on a MemFS: one more directory entry bound to an existing
// file's inode, durable like any entry: when its directory is synced.
// Crash images keep hard links as one inode under several names.

// Link binds newname to the file at oldname (link(2)): EEXIST if newname
// exists, EPERM for a directory; errors are *os.LinkError.
func (m *MemFS) Link(oldname, newname string) error {
	oldRel, newRel := clean(oldname), clean(newname)
	m.mu.Lock()
	defer m.mu.Unlock()
	fail := func(errno syscall.Errno) error {
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: errno}
	}
	if oldRel == "" {
		return fail(syscall.EPERM)
	}
	if newRel == "" {
		return fail(syscall.EEXIST)
	}
	od, obase, errno := m.parent(oldRel)
	if errno != 0 {
		return fail(errno)
	}
	n := od.lookup(obase)
	switch {
	case n == nil:
		return fail(syscall.ENOENT)
	case n.dir:
		return fail(syscall.EPERM)
	}
	nd, nbase, errno := m.parent(newRel)
	if errno != 0 {
		return fail(errno)
	}
	if nd.lookup(nbase) != nil {
		return fail(syscall.EEXIST)
	}
	nd.link("", nbase, n, m.now())
	return nil
}
