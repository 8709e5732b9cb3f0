//go:build !unix

package fslock

import (
	"context"
	"fmt"
)

// flockDir fails on platforms without flock(2).
func flockDir(_ context.Context, dir string) (func() error, error) {
	return nil, fmt.Errorf("lock %q: %w", dir, ErrUnsupported)
}
