package faults

import (
	"errors"
	"syscall"

	"github.com/scopemig/scopemig/faults/internal/schedterm"
)

var (
	// ErrCrashed is wrapped by every error returned after the simulated
	// process crashed (and by the call that crashed it).
	ErrCrashed = errors.New("faults: process crashed")
	// ErrInjected is matched (errors.Is) by every injected failure.
	ErrInjected = errors.New("faults: injected failure")
	// ErrSyntax reports a schedule or mode that does not parse (the
	// provider schedules of faults/opfaults wrap it too).
	ErrSyntax = schedterm.ErrSyntax
	// ErrNotMemFS reports an operation that needs a *MemFS disk.
	ErrNotMemFS = errors.New("faults: inner filesystem is not a *MemFS")
)

// InjectedError is the error inside the *os.PathError of an injected
// filesystem failure. It unwraps to its errno, so errors.Is(err,
// syscall.ENOSPC) holds, and it matches ErrInjected.
type InjectedError struct {
	Errno syscall.Errno
}

// Error implements error.
func (e InjectedError) Error() string { return "injected: " + e.Errno.Error() }

// Unwrap returns the errno.
func (e InjectedError) Unwrap() error { return e.Errno }

// Is reports whether target is ErrInjected.
func (e InjectedError) Is(target error) bool { return target == ErrInjected }
