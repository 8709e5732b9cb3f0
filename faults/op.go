package faults

import "fmt"

// OpKind is the kind of a mutating filesystem operation.
type OpKind uint8

// The mutating operations an FS counts.
const (
	OpCreate    OpKind = iota // Fs.Create
	OpOpen                    // Fs.OpenFile with a write, create, truncate or append flag
	OpWrite                   // File.Write, WriteAt, WriteString
	OpTruncate                // File.Truncate
	OpSync                    // File.Sync (files and directories)
	OpClose                   // File.Close of a file opened for writing
	OpRename                  // Fs.Rename
	OpRemove                  // Fs.Remove
	OpRemoveAll               // Fs.RemoveAll
	OpMkdir                   // Fs.Mkdir
	OpMkdirAll                // Fs.MkdirAll
	OpChmod                   // Fs.Chmod
	OpChown                   // Fs.Chown
	OpChtimes                 // Fs.Chtimes
	numOpKinds
)

var opKindNames = [...]string{
	OpCreate:    "create",
	OpOpen:      "open",
	OpWrite:     "write",
	OpTruncate:  "truncate",
	OpSync:      "sync",
	OpClose:     "close",
	OpRename:    "rename",
	OpRemove:    "remove",
	OpRemoveAll: "removeall",
	OpMkdir:     "mkdir",
	OpMkdirAll:  "mkdirall",
	OpChmod:     "chmod",
	OpChown:     "chown",
	OpChtimes:   "chtimes",
}

// String returns the schedule name of the kind (create, write, sync, ...).
func (k OpKind) String() string {
	if k < numOpKinds {
		return opKindNames[k]
	}
	return fmt.Sprintf("opkind(%d)", uint8(k))
}

// ParseOpKind parses a name printed by OpKind.String.
func ParseOpKind(s string) (OpKind, error) {
	for i, n := range opKindNames {
		if n == s {
			return OpKind(i), nil
		}
	}
	return 0, fmt.Errorf("op kind %q: %w", s, ErrSyntax)
}

// Op describes one mutating operation, as shown to an Injector and kept in
// FS.Log.
type Op struct {
	Index   int    // 0-based number of the operation in its process
	Kind    OpKind // what it does
	Path    string // the file or directory (for file ops, the name it was opened with)
	NewPath string // rename only: the new name
	Len     int    // write only: the number of bytes
}

// String renders the op without any data, e.g. "#3 write /d/f (12 bytes)".
func (o Op) String() string {
	switch o.Kind {
	case OpRename:
		return fmt.Sprintf("#%d rename %s -> %s", o.Index, o.Path, o.NewPath)
	case OpWrite:
		return fmt.Sprintf("#%d write %s (%d bytes)", o.Index, o.Path, o.Len)
	default:
		return fmt.Sprintf("#%d %s %s", o.Index, o.Kind, o.Path)
	}
}
