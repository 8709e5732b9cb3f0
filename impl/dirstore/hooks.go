package dirstore

import (
	"context"
	"os"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/internal/sim"
)

// ops is the effective write path: the correct steps, unless the context
// given to OpenContext carries sim.DirstoreHooks (the harness's mutants,
// and tests that stop a write at a chosen step; no context a user of the
// module can build does).
type ops struct {
	write    func(fsys afero.Fs, path string, data []byte, perm os.FileMode) error
	fileName func(name string) string // nil: codec.fileName
}

// opsFor returns the write path for a Store opened with ctx.
func opsFor(ctx context.Context) ops {
	o := ops{write: atomicfile.Write}
	h, ok := sim.DirstoreHooksFrom(ctx)
	if !ok {
		return o
	}
	if h.Write != nil {
		o.write = h.Write
	}
	o.fileName = h.FileName
	return o
}

// fileName is the base name of the file holding secret name.
func (s *Store) fileName(name string) string {
	if s.ops.fileName != nil {
		return s.ops.fileName(name)
	}
	return s.codec.fileName(name)
}
