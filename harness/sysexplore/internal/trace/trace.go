package trace

import (
	"fmt"
	"strings"
)

// Op is one recorded syscall that touched the explored directory tree.
// Counted ops (Index > 0) are the file-mutating syscalls: the crash
// points. Uncounted ops (Index == 0: read-only opens, dups) are kept only
// so that the power-mode replay can follow file descriptions.
//
// Data holds the bytes a write wrote, for the replay only: it is never
// printed, never marshalled (json:"-"); String prints byte counts.
type Op struct {
	Index  int    `json:"index,omitempty"` // 1-based crash point number; 0 = not a crash point
	Name   string `json:"name"`            // syscall name (openat, write, renameat2, ...)
	Kind   Kind   `json:"kind"`            // what the replay does
	PID    int    `json:"pid"`             // thread id that made the call
	Path   string `json:"path,omitempty"`  // resolved absolute path (the file of an fd op)
	Path2  string `json:"path2,omitempty"` // rename/link destination, symlink target
	Desc   int    `json:"desc,omitempty"`  // file description id (opens, fd ops)
	Flags  int    `json:"flags,omitempty"` // open flags, unlinkat flags, rename flags
	Mode   uint32 `json:"mode,omitempty"`  // create/mkdir/chmod mode
	Off    int64  `json:"off,omitempty"`   // write offset, truncate length
	Append bool   `json:"append,omitempty"`
	Count  int    `json:"count,omitempty"`  // bytes asked to write
	Ret    int64  `json:"ret"`              // return value (bytes written, fd), or -errno
	Last   bool   `json:"last,omitempty"`   // close of the last fd of the description
	Killed bool   `json:"killed,omitempty"` // the tree was killed on entry to it: never executed
	Data   []byte `json:"-"`                // written bytes (replay only; never printed)
}

// Kind is what an op does to the file system, for the replay.
type Kind uint8

// The op kinds.
const (
	KOther Kind = iota
	KOpen
	KWrite
	KTruncate // ftruncate (Desc) or truncate (Path)
	KSync     // fsync, fdatasync (Desc)
	KSyncAll  // sync, syncfs
	KRename
	KUnlink
	KRmdir
	KMkdir
	KLink
	KSymlink
	KChmod
	KChown
	KClose
	KDup
)

var kindNames = [...]string{"other", "open", "write", "truncate", "sync", "syncall", "rename", "unlink", "rmdir", "mkdir", "link", "symlink", "chmod", "chown", "close", "dup"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// MarshalText prints the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

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
	case KOpen:
		fmt.Fprintf(&b, ", %s", openFlags(o.Flags))
	case KWrite:
		fmt.Fprintf(&b, ", %d bytes at %d", o.Count, o.Off)
		if o.Append {
			b.WriteString(" append")
		}
	case KTruncate:
		fmt.Fprintf(&b, ", %d", o.Off)
	case KRename, KLink, KSymlink:
		fmt.Fprintf(&b, " -> %s", rel(o.Path2))
	case KChmod, KMkdir:
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
