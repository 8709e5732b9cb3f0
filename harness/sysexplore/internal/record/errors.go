package record

import "errors"

// ErrUnsupported: syscall-level exploration needs Linux on amd64 or arm64
// and permission to ptrace children.
var ErrUnsupported = errors.New("syscall-level exploration is not supported here")
