package faults

import (
	"os"
	"syscall"

	"github.com/spf13/afero"
)

var (
	_ afero.Linker     = (*MemFS)(nil)
	_ afero.LinkReader = (*MemFS)(nil)
)

// Links on a MemFS. A hard link is one more directory entry bound to an
// existing file's inode, durable like any entry: when its directory is
// synced. A symlink is a new inode whose data is its target, written with
// its creation (a symlink cannot be opened to be synced; its entry, like
// any other, is durable when its directory is synced). Crash images keep
// hard links as one inode under several names.
//
// MemFS resolves no symlink: every path operation acts on the link itself
// (as lstat, unlink and rename do), so a caller that wants a path
// followed resolves it with Readlink first. Opening a symlink reads its
// target.

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

// Symlink creates newname as a symlink to target (symlink(2)): EEXIST if
// newname exists; errors are *os.LinkError.
func (m *MemFS) Symlink(target, newname string) error {
	rel := clean(newname)
	m.mu.Lock()
	defer m.mu.Unlock()
	fail := func(errno syscall.Errno) error {
		return &os.LinkError{Op: "symlink", Old: target, New: newname, Err: errno}
	}
	if rel == "" {
		return fail(syscall.EEXIST)
	}
	d, base, errno := m.parent(rel)
	if errno != 0 {
		return fail(errno)
	}
	if d.lookup(base) != nil {
		return fail(syscall.EEXIST)
	}
	now := m.now()
	n := newFile(os.ModeSymlink|os.ModePerm, now)
	n.data, n.syncedData = []byte(target), []byte(target)
	d.link("", base, n, now)
	return nil
}

// Readlink returns the target of the symlink at name (EINVAL if it is not
// one).
func (m *MemFS) Readlink(name string) (string, error) {
	rel := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, errno := m.walk(rel)
	if errno != 0 {
		return "", pathErr("readlink", name, errno)
	}
	if n.mode&os.ModeSymlink == 0 {
		return "", pathErr("readlink", name, syscall.EINVAL)
	}
	return string(n.data), nil
}

// SymlinkIfPossible implements afero.Linker.
func (m *MemFS) SymlinkIfPossible(oldname, newname string) error {
	return m.Symlink(oldname, newname)
}

// ReadlinkIfPossible implements afero.LinkReader.
func (m *MemFS) ReadlinkIfPossible(name string) (string, error) {
	return m.Readlink(name)
}
