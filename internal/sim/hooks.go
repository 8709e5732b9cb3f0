package sim

import (
	"context"
	"os"

	"github.com/spf13/afero"
)

// DirstoreHooks replace steps of impl/dirstore's write path, for the
// harness's mutant suite (deliberately broken variants that the harness
// must catch) and for tests that stop a write at a chosen step. They break
// the store's guarantees. A nil field keeps the correct step.
type DirstoreHooks struct {
	// Write durably and atomically replaces path with data (default
	// atomicfile.Write).
	Write func(fsys afero.Fs, path string, data []byte, perm os.FileMode) error
	// FileName maps a secret name to its file's base name (default: the
	// keyed hash described in dirstore's package doc). Listing still only
	// recognises hash-shaped names.
	FileName func(name string) string
}

// dirstoreHooksKey is the context key of DirstoreHooks.
type dirstoreHooksKey struct{}

// WithDirstoreHooks returns ctx carrying h: a dirstore opened with it
// (dirstore.OpenContext) uses h for its whole life.
func WithDirstoreHooks(ctx context.Context, h DirstoreHooks) context.Context {
	return context.WithValue(ctx, dirstoreHooksKey{}, h)
}

// DirstoreHooksFrom returns the DirstoreHooks ctx carries; ok is false
// when it carries none.
func DirstoreHooksFrom(ctx context.Context) (h DirstoreHooks, ok bool) {
	h, ok = ctx.Value(dirstoreHooksKey{}).(DirstoreHooks)
	return h, ok
}
