package record

import (
	"path/filepath"
	"strings"
)

// desc is an open file description: what one open(2) created, shared by
// every fd dup'ed or inherited from it.
type desc struct {
	id    int
	path  string // absolute path at open time
	flags int    // open flags
	root  bool   // path is inside the explored tree
	refs  int    // fds (in every table) that refer to it
}

// fdEnt is one slot of an fd table.
type fdEnt struct {
	d       *desc
	cloexec bool
}

// fdTable is a process's file descriptor table (shared by the threads
// created with CLONE_FILES).
type fdTable struct{ fds map[int]fdEnt }

func newFDTable() *fdTable { return &fdTable{fds: map[int]fdEnt{}} }

// set installs d at fd (closing what was there first).
func (t *fdTable) set(fd int, d *desc, cloexec bool) {
	t.close(fd)
	d.refs++
	t.fds[fd] = fdEnt{d: d, cloexec: cloexec}
}

// get returns the description at fd, or nil.
func (t *fdTable) get(fd int) *desc {
	if e, ok := t.fds[fd]; ok {
		return e.d
	}
	return nil
}

// close removes fd and reports whether it was the description's last fd.
func (t *fdTable) close(fd int) (d *desc, last bool) {
	e, ok := t.fds[fd]
	if !ok {
		return nil, false
	}
	delete(t.fds, fd)
	e.d.refs--
	return e.d, e.d.refs == 0
}

// copy returns a fork's copy of the table (every description gains a ref).
func (t *fdTable) copy() *fdTable {
	c := newFDTable()
	for fd, e := range t.fds {
		e.d.refs++
		c.fds[fd] = e
	}
	return c
}

// exec drops the close-on-exec fds.
func (t *fdTable) exec() {
	for fd, e := range t.fds {
		if e.cloexec {
			t.close(fd)
		}
	}
}

// fsState is a process's working directory (shared under CLONE_FS).
type fsState struct{ cwd string }

// under reports whether p is root or inside it.
func under(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+"/")
}

// join resolves p against base (p absolute: cleaned as is).
func join(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}
