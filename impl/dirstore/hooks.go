package dirstore

import (
	"os"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
)

// Hooks replace steps of the store's write path. They exist for the
// harness's mutant suite (deliberately broken variants that the harness
// must catch) and break the store's guarantees: never set them in
// production code. A nil field keeps the correct step.
type Hooks struct {
	// Write durably and atomically replaces path with data (default
	// atomicfile.Write).
	Write func(fsys afero.Fs, path string, data []byte, perm os.FileMode) error
	// FileName maps a secret name to its file's base name (default: the
	// keyed hash described in the package doc). Listing still only
	// recognises hash-shaped names.
	FileName func(name string) string
}

// ops is the effective write path.
type ops struct {
	write    func(fsys afero.Fs, path string, data []byte, perm os.FileMode) error
	fileName func(name string) string // nil: codec.fileName
}

func defaultOps() ops { return ops{write: atomicfile.Write} }

// WithHooks installs h (see Hooks: for mutants only).
func WithHooks(h Hooks) Option {
	return func(s *Store) {
		if h.Write != nil {
			s.ops.write = h.Write
		}
		s.ops.fileName = h.FileName
	}
}

// fileName is the base name of the file holding secret name.
func (s *Store) fileName(name string) string {
	if s.ops.fileName != nil {
		return s.ops.fileName(name)
	}
	return s.codec.fileName(name)
}
