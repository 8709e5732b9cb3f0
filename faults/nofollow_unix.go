//go:build unix

package faults

import "syscall"

// oNoFollow is O_NOFOLLOW: an open that must not follow a link at the
// last component (MemFS then fails with ELOOP, as open(2) does).
const oNoFollow = syscall.O_NOFOLLOW
