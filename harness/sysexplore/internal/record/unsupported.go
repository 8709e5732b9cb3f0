//go:build !linux || !(amd64 || arm64)

package record

import "context"

// Record is only implemented on linux/amd64 and linux/arm64.
func Record(context.Context, Spec) (Result, error) {
	return Result{}, ErrUnsupported
}

// PtraceWorks reports whether this process may trace its children.
func PtraceWorks() error { return ErrUnsupported }
