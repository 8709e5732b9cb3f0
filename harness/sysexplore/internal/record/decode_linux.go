//go:build linux && (amd64 || arm64)

package record

import (
	"encoding/binary"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore/internal/trace"
)

const (
	atFDCWD     = -100
	atEmptyPath = 0x1000
)

// pending is a syscall between its entry and exit stops.
type pending struct {
	cl   class
	op   trace.Op
	keep bool // record the op at exit
	fd   int  // fd argument (close, dup, fchdir)
	fd2  int  // dup2/dup3 target; close_range's last fd; F_SETFD's flags
	cloe bool // the new fd is close-on-exec
	dup  bool // a dup (dup*, F_DUPFD*): the new fd is a copy of fd
}

// call is one syscall at its entry stop, decoded with its table row.
type call struct {
	sys sysCall
	r   *regs
	tid int
}

// arg returns the argument at position i (1-based; 0: absent, 0).
func (c call) arg(i int8) uint64 {
	if i <= 0 {
		return 0
	}
	return c.r.a[i-1]
}

// fd returns the fd argument at position i (AT_FDCWD when absent).
func (c call) fd(i int8) int {
	if i <= 0 {
		return atFDCWD
	}
	return int(int32(c.arg(i)))
}

// str reads the string argument at position i.
func (c call) str(i int8) string {
	if i <= 0 {
		return ""
	}
	s, _ := readString(c.tid, uintptr(c.arg(i)))
	return s
}

// resolve returns the absolute path of (dirfd, p) in tk's process.
func (t *tracer) resolve(tk *task, dirfd int, p string) string {
	if dirfd == atFDCWD || (p != "" && p[0] == '/') {
		return join(tk.fs.cwd, p)
	}
	d := tk.files.get(dirfd)
	if d == nil {
		return join("/proc/unknown-fd-"+strconv.Itoa(dirfd), p)
	}
	if p == "" {
		return d.path
	}
	return join(d.path, p)
}

// entry classifies a syscall at its entry stop. It returns nil for a
// syscall that does not concern the explored tree.
func (t *tracer) entry(tid int, tk *task, r *regs) *pending {
	sys, ok := t.table[r.nr]
	if !ok {
		return nil
	}
	c := call{sys: sys, r: r, tid: tid}
	a := sys.Args
	in := func(p string) bool { return under(t.spec.Root, p) }
	p := &pending{cl: sys.Class, op: trace.Op{PID: tid, Name: sys.Name}}
	op := &p.op
	path := func() string { return t.resolve(tk, c.fd(a.Dir), c.str(a.Path)) }
	pathOp := func(k faults.OpKind, path string) *pending {
		op.Kind, op.Path = k, path
		if !in(path) {
			return nil
		}
		t.count(p)
		return p
	}
	// fdOp describes an op on the fd at position a.FD: nil when the fd is
	// not a file of the explored tree.
	fdOp := func(k faults.OpKind) (*desc, *pending) {
		d := tk.files.get(c.fd(a.FD))
		op.Kind = k
		if d == nil || !d.root {
			return d, nil
		}
		op.Path, op.Desc = d.path, d.id
		t.count(p)
		return d, p
	}
	switch sys.Class {
	case cOpen:
		var flags int
		var mode uint32
		switch {
		case a.How > 0:
			if b, err := readMem(tid, uintptr(c.arg(a.How)), 16); err == nil && len(b) == 16 {
				flags = int(binary.LittleEndian.Uint64(b))
				mode = uint32(binary.LittleEndian.Uint64(b[8:]))
			}
		case a.Flags > 0:
			flags, mode = int(c.arg(a.Flags)), uint32(c.arg(a.Mode))
		default: // creat
			flags, mode = os.O_CREATE|os.O_WRONLY|os.O_TRUNC, uint32(c.arg(a.Mode))
		}
		op.Kind, op.Path, op.Flags, op.Mode = faults.OpOpen, path(), flags, mode&0o7777
		p.cloe = flags&unix.O_CLOEXEC != 0
		if trace.Writable(flags) && in(op.Path) {
			t.count(p)
		}
		// Every open is followed to its fd (read-only ones too: a
		// directory fsync goes through one).
		return p
	case cWrite, cWritev:
		fd := c.fd(a.FD)
		d, q := fdOp(faults.OpWrite)
		if q == nil {
			return nil
		}
		op.Append = d.flags&unix.O_APPEND != 0
		if a.Off > 0 && (sys.Class == cWrite || int64(c.arg(a.Off)) != -1) {
			op.Off = int64(c.arg(a.Off))
		} else {
			op.Off = filePos(tid, fd)
		}
		if sys.Class == cWrite {
			op.Len = int(c.arg(a.Count))
			if t.spec.Capture {
				op.Data, _ = readMem(tid, uintptr(c.arg(a.Buf)), min(op.Len, maxWriteKeep))
			}
			return p
		}
		op.Data = readIovecs(tid, uintptr(c.arg(a.Buf)), int(c.arg(a.Count)), t.spec.Capture)
		op.Len = len(op.Data)
		if !t.spec.Capture {
			op.Data = nil
		}
		return p
	case cTruncate:
		op.Off = int64(c.arg(a.Off))
		if a.FD > 0 {
			_, q := fdOp(faults.OpTruncate)
			return q
		}
		return pathOp(faults.OpTruncate, path())
	case cFsync:
		_, q := fdOp(faults.OpSync)
		return q
	case cSyncAll:
		if a.FD > 0 {
			_, q := fdOp(faults.OpSyncFS)
			return q
		}
		op.Kind = faults.OpSyncFS
		t.count(p)
		return p
	case cRename:
		from, to := path(), t.resolve(tk, c.fd(a.Dir2), c.str(a.Path2))
		op.Kind, op.Path, op.NewPath, op.Flags = faults.OpRename, from, to, int(c.arg(a.Flags))
		if !in(from) && !in(to) {
			return nil
		}
		t.count(p)
		return p
	case cUnlink:
		// unlink and rmdir alike remove an entry (the name says which).
		op.Flags = int(c.arg(a.Flags))
		return pathOp(faults.OpRemove, path())
	case cMkdir:
		op.Mode = uint32(c.arg(a.Mode)) & 0o7777
		return pathOp(faults.OpMkdir, path())
	case cLink:
		op.NewPath = t.resolve(tk, c.fd(a.Dir2), c.str(a.Path2))
		return pathOp(faults.OpLink, path())
	case cSymlink:
		// Path is the new link, Path2 the (unresolved) target text.
		op.NewPath = c.str(a.Path2)
		return pathOp(faults.OpSymlink, path())
	case cChmod:
		op.Mode = uint32(c.arg(a.Mode)) & 0o7777
		if a.FD > 0 {
			_, q := fdOp(faults.OpChmod)
			return q
		}
		return pathOp(faults.OpChmod, path())
	case cChown:
		if a.FD > 0 {
			_, q := fdOp(faults.OpChown)
			return q
		}
		if c.str(a.Path) == "" && int(c.arg(a.Flags))&atEmptyPath != 0 {
			return pathOp(faults.OpChown, t.resolve(tk, c.fd(a.Dir), ""))
		}
		return pathOp(faults.OpChown, path())
	case cClose:
		p.fd = c.fd(a.FD)
		d := tk.files.get(p.fd)
		op.Kind = faults.OpClose
		if d == nil {
			return nil
		}
		if d.root {
			op.Path, op.Desc, op.Last = d.path, d.id, d.refs == 1
			// Only the close that releases the description is a crash
			// point (closes of dup'ed or inherited fds change nothing).
			if trace.Writable(d.flags) && d.refs == 1 {
				t.count(p)
			}
		}
		return p
	case cCloseRange:
		p.fd, p.fd2 = c.fd(a.FD), c.fd(a.FD2)
		return p
	case cDup:
		p.fd, p.fd2 = c.fd(a.FD), c.fd(a.FD2)
		p.cloe = int(c.arg(a.Flags))&unix.O_CLOEXEC != 0
		p.dup = true
		return p
	case cFcntl:
		p.fd = c.fd(a.FD)
		switch int(c.arg(a.Cmd)) {
		case unix.F_DUPFD, unix.F_DUPFD_CLOEXEC:
			p.cloe = int(c.arg(a.Cmd)) == unix.F_DUPFD_CLOEXEC
			p.dup = true
			return p
		case unix.F_SETFD:
			p.fd2 = int(c.arg(a.Arg))
			return p
		}
		return nil
	case cChdir:
		op.Path = t.resolve(tk, atFDCWD, c.str(a.Path))
		return p
	case cFchdir:
		p.fd = c.fd(a.FD)
		return p
	}
	return nil
}

// exit completes a syscall at its exit stop: it updates the fd tables and
// records the op.
func (t *tracer) exit(tk *task, p *pending, ret int64) {
	op := p.op
	op.Ret = ret
	if op.Kind == faults.OpWrite && ret >= 0 && int(ret) < len(op.Data) {
		op.Data = op.Data[:ret]
	}
	switch p.cl {
	case cOpen:
		if ret >= 0 {
			t.nextID++
			d := &desc{id: t.nextID, path: op.Path, flags: op.Flags, root: under(t.spec.Root, op.Path)}
			tk.files.set(int(ret), d, p.cloe)
			op.Desc = d.id
		}
		p.keep = p.keep || under(t.spec.Root, op.Path)
	case cClose:
		tk.files.close(p.fd)
	case cCloseRange:
		if ret == 0 {
			for fd := range tk.files.fds {
				if fd >= p.fd && uint(fd) <= uint(uint32(p.fd2)) {
					tk.files.close(fd)
				}
			}
		}
		return
	case cDup, cFcntl:
		if p.dup {
			if d := tk.files.get(p.fd); d != nil && ret >= 0 {
				tk.files.set(int(ret), d, p.cloe)
			}
		} else if ret == 0 {
			if e, ok := tk.files.fds[p.fd]; ok {
				e.cloexec = p.fd2&unix.FD_CLOEXEC != 0
				tk.files.fds[p.fd] = e
			}
		}
		return
	case cChdir:
		if ret == 0 {
			tk.fs.cwd = op.Path
		}
		return
	case cFchdir:
		if d := tk.files.get(p.fd); d != nil && ret == 0 {
			tk.fs.cwd = d.path
		}
		return
	}
	if p.keep {
		t.res.Trace.Ops = append(t.res.Trace.Ops, op)
	}
}
