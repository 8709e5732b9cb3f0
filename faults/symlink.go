package faults

import (
	"os"
	"strings"
	"syscall"

	"github.com/spf13/afero"
)

// maxLinkHops bounds the symlinks one path resolution follows (Linux's
// limit): more fail with ELOOP, as a cycle does.
const maxLinkHops = 40

// linkMode is the mode of every symlink (as on Linux: its permission bits
// are never used).
const linkMode = os.ModeSymlink | 0o777

var _ afero.Symlinker = (*MemFS)(nil)

// newSymlink returns a symlink inode holding target. Its content is part
// of its creation: durable together with its directory entry (a symlink has
// no data of its own to sync), so data and syncedData are set at once.
func newSymlink(target string, now int64) *inode {
	b := []byte(target)
	return &inode{mode: linkMode, syncedMode: linkMode, modTime: now, data: b, syncedData: b}
}

// isLink reports whether n is a symlink.
func (n *inode) isLink() bool { return n.mode&os.ModeSymlink != 0 }

// linkTarget returns the clean root-relative path the symlink n, found in
// the directory whose resolved path is dirRel, points to: an absolute
// target from the root, a relative one from that directory.
func linkTarget(dirRel string, n *inode) string {
	t := string(n.data)
	if !strings.HasPrefix(t, "/") && dirRel != "" {
		t = dirRel + "/" + t
	}
	return clean(t)
}

// resolve returns the inode at the clean path rel and that path with every
// symlink resolved, following a link in the last component only when
// follow is set; hops counts the links already followed (ELOOP past
// maxLinkHops). Caller holds m.mu.
func (m *MemFS) resolve(rel string, follow bool, hops int) (*inode, string, syscall.Errno) {
	n := m.rootLocked()
	done := 0 // rel[:done] is resolved: the path of n
	for pos := 0; pos < len(rel); {
		end := strings.IndexByte(rel[pos:], '/')
		last := end < 0
		if last {
			end = len(rel)
		} else {
			end += pos
		}
		if !n.dir {
			return nil, "", syscall.ENOTDIR
		}
		c := n.lookup(rel[pos:end])
		if c == nil {
			return nil, "", syscall.ENOENT
		}
		if c.isLink() && (follow || !last) {
			if hops >= maxLinkHops {
				return nil, "", syscall.ELOOP
			}
			next := linkTarget(rel[:done], c)
			if !last {
				next = clean(next + "/" + rel[end+1:])
			}
			return m.resolve(next, follow, hops+1)
		}
		n, done = c, end
		pos = end + 1
	}
	return n, rel[:done], 0
}

// LstatIfPossible implements afero.Lstater: Stat without following a
// symlink in the last component (links in the directory part are
// followed). It reports true.
func (m *MemFS) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	rel := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, _, errno := m.resolve(rel, false, 0)
	if errno != 0 {
		return nil, true, pathErr("lstat", name, errno)
	}
	_, base := splitLast(rel)
	if base == "" {
		base = "/"
	}
	return n.info(base), true, nil
}

// SymlinkIfPossible implements afero.Linker: creates newname as a symlink
// to oldname (kept as given, relative or absolute; it need not exist). The
// entry is durable once its directory is synced, like any other entry.
// Errors are *os.LinkError; an existing newname fails with EEXIST.
func (m *MemFS) SymlinkIfPossible(oldname, newname string) error {
	rel := clean(newname)
	m.mu.Lock()
	defer m.mu.Unlock()
	fail := func(errno syscall.Errno) error {
		return &os.LinkError{Op: "symlink", Old: oldname, New: newname, Err: errno}
	}
	if rel == "" {
		return fail(syscall.EEXIST)
	}
	if oldname == "" {
		return fail(syscall.ENOENT)
	}
	d, base, errno := m.parent(rel)
	if errno != 0 {
		return fail(errno)
	}
	if d.lookup(base) != nil {
		return fail(syscall.EEXIST)
	}
	now := m.now()
	d.link("", base, newSymlink(oldname, now), now)
	return nil
}

// ReadlinkIfPossible implements afero.LinkReader: the target of the
// symlink name, as it was created. A name that is not a symlink fails
// with EINVAL.
func (m *MemFS) ReadlinkIfPossible(name string) (string, error) {
	rel := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, _, errno := m.resolve(rel, false, 0)
	if errno != 0 {
		return "", pathErr("readlink", name, errno)
	}
	if !n.isLink() {
		return "", pathErr("readlink", name, syscall.EINVAL)
	}
	return string(n.data), nil
}
