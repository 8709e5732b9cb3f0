//go:build !unix

package fslock

import (
	"context"
	"fmt"
)

// flockFile fails on platforms without flock(2).
func flockFile(_ context.Context, path string) (func() error, error) {
	return nil, fmt.Errorf("lock file %q: %w", path, ErrUnsupported)
}

// preflightLockFile has nothing to check where AcquireFile is unsupported.
func preflightLockFile(string) error { return nil }
