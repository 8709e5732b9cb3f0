package faults

import (
	"fmt"
	"strconv"
	"syscall"
)

// errnoNames are the errnos a schedule names; others print as numbers.
var errnoNames = []struct {
	name  string
	errno syscall.Errno
}{
	{"EIO", syscall.EIO},
	{"ENOSPC", syscall.ENOSPC},
	{"EDQUOT", syscall.EDQUOT},
	{"EROFS", syscall.EROFS},
	{"EACCES", syscall.EACCES},
	{"EPERM", syscall.EPERM},
	{"EFBIG", syscall.EFBIG},
	{"EBUSY", syscall.EBUSY},
	{"EINTR", syscall.EINTR},
	{"EAGAIN", syscall.EAGAIN},
	{"EINVAL", syscall.EINVAL},
	{"ENOTSUP", syscall.ENOTSUP},
}

// Errnos lists the errnos a schedule can name, EIO and ENOSPC first.
func Errnos() []syscall.Errno {
	out := make([]syscall.Errno, len(errnoNames))
	for i, e := range errnoNames {
		out[i] = e.errno
	}
	return out
}

// errnoName returns the schedule name of e (EIO, ENOSPC, ...) or its number.
func errnoName(e syscall.Errno) string {
	for _, n := range errnoNames {
		if n.errno == e {
			return n.name
		}
	}
	return strconv.FormatUint(uint64(e), 10)
}

// ParseErrno parses an errno name (EIO, ENOSPC, ...) or a positive number.
func ParseErrno(s string) (syscall.Errno, error) {
	for _, n := range errnoNames {
		if n.name == s {
			return n.errno, nil
		}
	}
	v, err := strconv.ParseUint(s, 10, 16)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("errno %q: %w", s, ErrSyntax)
	}
	return syscall.Errno(v), nil
}
