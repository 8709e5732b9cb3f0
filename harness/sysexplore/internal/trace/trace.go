package trace

import (
	"fmt"
	"strings"

	"github.com/scopemig/scopemig/faults"
)

// Op is one recorded syscall that touched the explored directory tree.
// Counted ops (Index > 0) are the file-mutating syscalls: the crash
// points. Uncounted ops (Index == 0: read-only opens, dups) are kept only
// so that the power-mode replay can follow file descriptions.
//
// Data holds the bytes a write wrote, for the replay only: it is never
// printed, never marshalled (json:"-"); String prints byte counts.
type Op struct {
	Index   int           `json:"index,omitempty"`    // 1-based crash point number; 0 = not a crash point
	Name    string        `json:"name"`               // syscall name (openat, write, renameat2, ...)
	Kind    faults.OpKind `json:"kind"`               // what it does (the fault layer's kinds: unlink and rmdir are OpRemove, sync and syncfs OpSyncFS)
	PID     int           `json:"pid"`                // thread id that made the call
	Path    string        `json:"path,omitempty"`     // resolved absolute path (the file of an fd op)
	NewPath string        `json:"new_path,omitempty"` // rename/link destination, symlink target (as faults.Op.NewPath)
	Desc    int           `json:"desc,omitempty"`     // file description id (opens, fd ops)
	Flags   int           `json:"flags,omitempty"`    // open flags, unlinkat flags, rename flags
	Mode    uint32        `json:"mode,omitempty"`     // create/mkdir/chmod mode
	Off     int64         `json:"off,omitempty"`      // write offset, truncate length
	Append  bool          `json:"append,omitempty"`
	Len     int           `json:"len,omitempty"`    // bytes asked to write (as faults.Op.Len)
	Ret     int64         `json:"ret"`              // return value (bytes written, fd), or -errno
	Last    bool          `json:"last,omitempty"`   // close of the last fd of the description
	Killed  bool          `json:"killed,omitempty"` // the tree was killed on entry to it: never executed
	Data    []byte        `json:"-"`                // written bytes (replay only; never printed)
}

// Failed reports whether the syscall returned an error.
func (o Op) Failed() bool { return o.Ret < 0 }

// String describes the op by name, paths relative to root and byte
// counts; never data.
func (o Op) String() string { return o.Describe("") }

// Describe is String with paths shown relative to root.
func (o Op) Describe(root string) string {
	rel := func(p string) string {
		if root == "" {
			return p
		}
		if p == root {
			return "{dir}"
		}
		if r, ok := strings.CutPrefix(p, root+"/"); ok {
			return "{dir}/" + r
		}
		return p
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s(%s", o.Index, o.Name, rel(o.Path))
	switch o.Kind {
	case faults.OpOpen:
		fmt.Fprintf(&b, ", %s", openFlags(o.Flags))
	case faults.OpWrite:
		fmt.Fprintf(&b, ", %d bytes at %d", o.Len, o.Off)
		if o.Append {
			b.WriteString(" append")
		}
	case faults.OpTruncate:
		fmt.Fprintf(&b, ", %d", o.Off)
	case faults.OpRename, faults.OpLink, faults.OpSymlink:
		fmt.Fprintf(&b, " -> %s", rel(o.NewPath))
	case faults.OpChmod, faults.OpMkdir:
		fmt.Fprintf(&b, ", %#o", o.Mode)
	}
	b.WriteString(")")
	if o.Killed {
		b.WriteString(" (killed on entry)")
		return b.String()
	}
	if o.Ret < 0 {
		fmt.Fprintf(&b, " = -%s", errnoName(-o.Ret))
	} else {
		fmt.Fprintf(&b, " = %d", o.Ret)
	}
	return b.String()
}

// Trace is the record of one complete run.
type Trace struct {
	Ops  []Op `json:"ops"`
	Exit int  `json:"exit"` // exit status of the command (-1: killed by a signal)
}

// Points returns the number of crash points (counted ops).
func (t Trace) Points() int {
	n := 0
	for _, o := range t.Ops {
		if o.Index > 0 {
			n++
		}
	}
	return n
}

// Point returns the counted op with index k.
func (t Trace) Point(k int) (Op, bool) {
	for _, o := range t.Ops {
		if o.Index == k {
			return o, true
		}
	}
	return Op{}, false
}

// Before returns the ops that completed before crash point k (all ops
// whose position precedes op k); k > Points() returns every op.
func (t Trace) Before(k int) []Op {
	for i, o := range t.Ops {
		if o.Index == k {
			return t.Ops[:i]
		}
	}
	return t.Ops
}
