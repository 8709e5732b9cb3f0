package faults

import "fmt"

// OpKind is the kind of an operation an Injector is asked about: a
// mutating filesystem operation (counted by FS) or a secrets-provider call
// (counted by faults/opfaults.Provider).
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
	// Recorded by the syscall-level explorer only (an afero.Fs has no
	// such operation, so FS never counts them):
	OpLink    // link(2), linkat(2): a new entry for an existing file
	OpSymlink // symlink(2), symlinkat(2): NewPath is the link's target text
	OpSyncFS  // sync(2), syncfs(2): every file and directory
)

// The provider calls faults/opfaults.Provider counts; the Op's Path is
// the key for GetSecret, SetSecret and DeleteSecret.
const (
	OpGetSecret     OpKind = iota + OpSyncFS + 1 // Provider.GetSecret
	OpSetSecret                                  // Provider.SetSecret
	OpDeleteSecret                               // Provider.DeleteSecret
	OpListSecrets                                // Provider.ListSecrets
	OpDeleteSecrets                              // Provider.DeleteSecrets
	OpCleanup                                    // Provider.Cleanup
	OpCapabilities                               // Provider.Capabilities
	OpUpdate                                     // Updater.Update
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
	OpLink:      "link",
	OpSymlink:   "symlink",
	OpSyncFS:    "syncfs",

	OpGetSecret:     "getsecret",
	OpSetSecret:     "setsecret",
	OpDeleteSecret:  "deletesecret",
	OpListSecrets:   "listsecrets",
	OpDeleteSecrets: "deletesecrets",
	OpCleanup:       "cleanup",
	OpCapabilities:  "capabilities",
	OpUpdate:        "update",
}

// OpKinds lists every kind, the filesystem operations first.
func OpKinds() []OpKind {
	out := make([]OpKind, numOpKinds)
	for i := range out {
		out[i] = OpKind(i)
	}
	return out
}

// String returns the schedule name of the kind (create, write, sync, ...,
// setsecret, ...).
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

// Op describes one operation, as shown to an Injector and kept in FS.Log
// (or opfaults.Provider.Log). It never holds data or a secret value.
type Op struct {
	Index   int    // 0-based number of the operation in its process
	Kind    OpKind // what it does
	Path    string // the file or directory (for file ops, the name it was opened with); a provider call's key
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
