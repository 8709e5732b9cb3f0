//go:build !(linux && amd64)

package sysexplore

import "context"

// record is only implemented on linux/amd64.
func record(context.Context, runSpec) (runResult, error) {
	return runResult{}, ErrUnsupported
}

// PtraceWorks reports whether this process may trace its children.
func PtraceWorks() error { return ErrUnsupported }
