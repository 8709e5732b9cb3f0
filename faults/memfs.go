package faults

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/afero"
)

// chmodBits are the mode bits Chmod and creation may set (as in os.Chmod).
const chmodBits = os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky

// epoch is the origin of MemFS's logical clock: 2000-01-01T00:00:00Z in
// Unix nanoseconds.
const epoch int64 = 946684800 * int64(time.Second)

// MemFS is a simulated disk: an in-memory afero.Fs that tracks what is
// durable (see the package documentation). The zero value is an empty disk
// whose root directory (mode 0755) is durable. It is safe for concurrent
// use; every simulated process on the disk (see NewFS) shares it.
//
// Paths are slash-separated and relative to the root: "a/b", "/a/b" and
// "/a/./b" name the same file, and ".." never leaves the root (names are
// cleaned lexically before any link is followed). Symbolic links are
// modelled (see symlink.go: SymlinkIfPossible, ReadlinkIfPossible,
// LstatIfPossible) and hard links (memfs_link.go: Link); there is no umask
// (perm is applied as given). File
// times come from a logical clock (one tick per mutation), so runs are
// deterministic; they are not modelled for durability.
type MemFS struct {
	mu   sync.Mutex // guards root, tick, gen and every inode of the disk
	root *inode     // nil until first use
	tick int64      // logical clock
	gen  uint64     // Clone generation, for inode identity

	locks lockTable // the disk's named locks, shared by every process
}

var (
	_ afero.Fs      = (*MemFS)(nil)
	_ afero.Lstater = (*MemFS)(nil)
)

// NewMemFS returns an empty disk.
func NewMemFS() *MemFS { return &MemFS{} }

// Name implements afero.Fs.
func (m *MemFS) Name() string { return "MemFS" }

// now advances and returns the logical clock. Caller holds m.mu.
func (m *MemFS) now() int64 {
	m.tick++
	return epoch + m.tick*int64(time.Microsecond)
}

// rootLocked returns the root, creating it on first use. Caller holds m.mu.
func (m *MemFS) rootLocked() *inode {
	if m.root == nil {
		m.root = newDir(os.ModeDir|0o755, epoch)
	}
	return m.root
}

// clean turns a name into a root-relative clean path ("" is the root).
func clean(name string) string {
	if isCleanAbs(name) { // the common case, without filepath.Clean's copy loop
		return name[1:]
	}
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	return filepath.ToSlash(filepath.Clean(name))[1:]
}

// isCleanAbs reports whether p is an absolute slash path that
// filepath.Clean leaves unchanged: no empty, "." or ".." element and no
// trailing slash (except the root "/").
func isCleanAbs(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	n := len(p)
	if n == 1 {
		return true
	}
	if p[n-1] == '/' {
		return false
	}
	// Every element starts after a '/': it must not be empty, "." or "..".
	for i := 0; i < n; i++ {
		if p[i] != '/' {
			continue
		}
		switch p[i+1] { // i+1 < n: p does not end with '/'
		case '/':
			return false
		case '.':
			if i+2 == n || p[i+2] == '/' {
				return false // "."
			}
			if p[i+2] == '.' && (i+3 == n || p[i+3] == '/') {
				return false // ".."
			}
		}
	}
	return true
}

// splitLast returns the parent path and the base name of a clean path.
func splitLast(rel string) (string, string) {
	i := strings.LastIndexByte(rel, '/')
	if i < 0 {
		return "", rel
	}
	return rel[:i], rel[i+1:]
}

// walk returns the inode at the clean path rel, following symlinks in
// every component, the last one included (as stat(2)). Caller holds m.mu.
func (m *MemFS) walk(rel string) (*inode, syscall.Errno) {
	n, _, errno := m.resolve(rel, true, 0)
	return n, errno
}

// parent returns the directory holding the clean path rel (symlinks in
// the directory part followed) and rel's base name. Caller holds m.mu.
func (m *MemFS) parent(rel string) (*inode, string, syscall.Errno) {
	d, _, base, errno := m.parentAt(rel, 0)
	return d, base, errno
}

// parentAt is parent, and also returns the directory's own clean path with
// every symlink resolved (for resolving a relative link target in it);
// hops counts the links followed so far. Caller holds m.mu.
func (m *MemFS) parentAt(rel string, hops int) (d *inode, dirRel, base string, errno syscall.Errno) {
	dir, base := splitLast(rel)
	d, dirRel, errno = m.resolve(dir, true, hops)
	if errno != 0 {
		return nil, "", "", errno
	}
	if !d.dir {
		return nil, "", "", syscall.ENOTDIR
	}
	return d, dirRel, base, 0
}

func pathErr(op, name string, err error) error {
	return &os.PathError{Op: op, Path: name, Err: err}
}

// Create implements afero.Fs: OpenFile(name, O_RDWR|O_CREATE|O_TRUNC, 0666).
func (m *MemFS) Create(name string) (afero.File, error) {
	return m.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Open implements afero.Fs: a read-only handle.
func (m *MemFS) Open(name string) (afero.File, error) {
	return m.OpenFile(name, os.O_RDONLY, 0)
}

// OpenFile implements afero.Fs with os.OpenFile's semantics for O_RDONLY,
// O_WRONLY, O_RDWR, O_CREATE, O_EXCL, O_TRUNC and O_APPEND (other flags
// are ignored). A created file's mode is perm&(ModePerm|setuid|setgid|sticky).
func (m *MemFS) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	h := new(memFile)
	if err := m.openInto(h, name, flag, perm); err != nil {
		return nil, err
	}
	return h, nil
}

// openInto is OpenFile into the handle h (so that a caller can allocate it
// together with its own wrapper). A symlink named by the last component is
// followed (a dangling one with O_CREATE creates its target, as open(2)
// does) unless the open has O_EXCL with O_CREATE (EEXIST) or O_NOFOLLOW
// (ELOOP).
func (m *MemFS) openInto(h *memFile, name string, flag int, perm os.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.openLocked(h, name, clean(name), flag, perm, 0)
}

// openLocked is openInto of the clean path rel after hops links. Caller
// holds m.mu.
func (m *MemFS) openLocked(h *memFile, name, rel string, flag int, perm os.FileMode, hops int) error {
	acc := flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
	write := acc == os.O_WRONLY || acc == os.O_RDWR
	var n *inode
	if rel == "" {
		n = m.rootLocked()
	} else {
		d, dirRel, base, errno := m.parentAt(rel, hops)
		if errno != 0 {
			return pathErr("open", name, errno)
		}
		n = d.lookup(base)
		switch {
		case n != nil && flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
			return pathErr("open", name, syscall.EEXIST)
		case n != nil && n.isLink() && flag&oNoFollow != 0:
			return pathErr("open", name, syscall.ELOOP)
		case n != nil && n.isLink():
			if hops >= maxLinkHops {
				return pathErr("open", name, syscall.ELOOP)
			}
			return m.openLocked(h, name, linkTarget(dirRel, n), flag, perm, hops+1)
		case n == nil && flag&os.O_CREATE == 0:
			return pathErr("open", name, syscall.ENOENT)
		case n == nil:
			now := m.now()
			n = newFile(perm&chmodBits, now)
			d.link("", base, n, now)
		}
	}
	if n.dir && (write || flag&os.O_TRUNC != 0) {
		return pathErr("open", name, syscall.EISDIR)
	}
	if write && flag&os.O_TRUNC != 0 && len(n.data) > 0 {
		n.truncate(0, m.now())
	}
	*h = memFile{
		fs: m, n: n, name: name,
		read:   acc == os.O_RDONLY || acc == os.O_RDWR,
		write:  write,
		append: flag&os.O_APPEND != 0,
	}
	return nil
}

// Mkdir implements afero.Fs; the parent must exist.
func (m *MemFS) Mkdir(name string, perm os.FileMode) error {
	rel := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if rel == "" {
		return pathErr("mkdir", name, syscall.EEXIST)
	}
	d, base, errno := m.parent(rel)
	if errno != 0 {
		return pathErr("mkdir", name, errno)
	}
	if d.lookup(base) != nil {
		return pathErr("mkdir", name, syscall.EEXIST)
	}
	now := m.now()
	d.link("", base, newDir(os.ModeDir|perm&chmodBits, now), now)
	return nil
}

// MkdirAll implements afero.Fs: creates name and its missing parents, each
// with mode perm; nil if name is already a directory.
func (m *MemFS) MkdirAll(name string, perm os.FileMode) error {
	rel := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	full := rel
	n := m.rootLocked()
	for rel != "" {
		var frag string
		if i := strings.IndexByte(rel, '/'); i >= 0 {
			frag, rel = rel[:i], rel[i+1:]
		} else {
			frag, rel = rel, ""
		}
		c := n.lookup(frag)
		if c != nil && c.isLink() { // a link to a directory: go on in its target
			var errno syscall.Errno
			if c, _, errno = m.resolve(strings.TrimSuffix(full[:len(full)-len(rel)], "/"), true, 0); errno != 0 {
				return pathErr("mkdir", name, errno)
			}
		}
		if c == nil {
			now := m.now()
			c = newDir(os.ModeDir|perm&chmodBits, now)
			n.link("", frag, c, now)
		} else if !c.dir {
			return pathErr("mkdir", name, syscall.ENOTDIR)
		}
		n = c
	}
	return nil
}

// Remove implements afero.Fs: removes a file or an empty directory.
func (m *MemFS) Remove(name string) error {
	rel := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if rel == "" {
		return pathErr("remove", name, syscall.EBUSY)
	}
	d, base, errno := m.parent(rel)
	if errno != 0 {
		return pathErr("remove", name, errno)
	}
	n := d.lookup(base)
	switch {
	case n == nil:
		return pathErr("remove", name, syscall.ENOENT)
	case n.dir && len(n.entries) > 0:
		return pathErr("remove", name, syscall.ENOTEMPTY)
	}
	d.link(base, "", nil, m.now())
	return nil
}

// RemoveAll implements afero.Fs: removes name and everything below it as
// one unlink in its parent directory (so the whole subtree reappears if
// power fails before the parent is synced). Missing name: nil. RemoveAll of
// the root removes every entry of the root.
func (m *MemFS) RemoveAll(name string) error {
	rel := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if rel == "" {
		r := m.rootLocked()
		now := m.now()
		for len(r.entries) > 0 {
			r.link(r.entries[0].name, "", nil, now)
		}
		return nil
	}
	d, base, errno := m.parent(rel)
	switch {
	case errno == syscall.ENOENT:
		return nil
	case errno != 0:
		return pathErr("removeall", name, errno)
	case d.lookup(base) == nil:
		return nil
	}
	d.link(base, "", nil, m.now())
	return nil
}

// Rename implements afero.Fs with os.Rename's semantics on Unix: a file may
// replace a file; nothing replaces a directory (EEXIST); a directory cannot
// replace a file (ENOTDIR) nor move below itself (EINVAL); errors are
// *os.LinkError. Within one directory it is one atomic entry change;
// across directories it is an unlink in one and a link in the other, each
// durable only when its directory is synced.
func (m *MemFS) Rename(oldname, newname string) error {
	oldRel, newRel := clean(oldname), clean(newname)
	m.mu.Lock()
	defer m.mu.Unlock()
	fail := func(errno syscall.Errno) error {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: errno}
	}
	if oldRel == "" || newRel == "" {
		return fail(syscall.EBUSY)
	}
	od, obase, errno := m.parent(oldRel)
	if errno != 0 {
		return fail(errno)
	}
	n := od.lookup(obase)
	if n == nil {
		return fail(syscall.ENOENT)
	}
	nd, nbase, errno := m.parent(newRel)
	if errno != 0 {
		return fail(errno)
	}
	if oldRel == newRel {
		return nil
	}
	if n.dir && strings.HasPrefix(newRel, oldRel+"/") {
		return fail(syscall.EINVAL)
	}
	switch t := nd.lookup(nbase); {
	case t == nil:
	case t.dir:
		return fail(syscall.EEXIST)
	case n.dir:
		return fail(syscall.ENOTDIR)
	}
	now := m.now()
	if od == nd {
		od.link(obase, nbase, n, now)
		return nil
	}
	od.link(obase, "", nil, now)
	nd.link("", nbase, n, now)
	return nil
}

// Stat implements afero.Fs.
func (m *MemFS) Stat(name string) (os.FileInfo, error) {
	rel := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, errno := m.walk(rel)
	if errno != 0 {
		return nil, pathErr("stat", name, errno)
	}
	_, base := splitLast(rel)
	if base == "" {
		base = "/"
	}
	return n.info(base), nil
}

// Chmod implements afero.Fs: sets the permission, setuid, setgid and
// sticky bits. The new mode is durable once the file (or directory) is
// synced.
func (m *MemFS) Chmod(name string, mode os.FileMode) error {
	rel := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, errno := m.walk(rel)
	if errno != 0 {
		return pathErr("chmod", name, errno)
	}
	n.chmod(n.mode&^chmodBits | mode&chmodBits)
	n.modTime = m.now()
	return nil
}

// Chown implements afero.Fs. Owners are not modelled: it only checks that
// name exists.
func (m *MemFS) Chown(name string, _, _ int) error {
	rel := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, errno := m.walk(rel); errno != 0 {
		return pathErr("chown", name, errno)
	}
	return nil
}

// Chtimes implements afero.Fs: sets the live modification time.
func (m *MemFS) Chtimes(name string, _, mtime time.Time) error {
	rel := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, errno := m.walk(rel)
	if errno != 0 {
		return pathErr("chtimes", name, errno)
	}
	n.modTime = mtime.UnixNano()
	return nil
}
