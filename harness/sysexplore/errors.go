package sysexplore

import "github.com/scopemig/scopemig/harness/sysexplore/internal/record"

// ErrUnsupported: syscall-level exploration needs Linux on amd64 or arm64
// and permission to ptrace children.
var ErrUnsupported = record.ErrUnsupported

// PtraceWorks reports whether this process may trace its children (it
// traces the true binary); the error, wrapping ErrUnsupported, says why
// not (a seccomp or Yama policy, a container without CAP_SYS_PTRACE).
func PtraceWorks() error { return record.PtraceWorks() }
