package sim

import (
	"context"
	"io"
)

// randKey is the context key of a nonce source.
type randKey struct{}

// WithRand returns ctx carrying r as the nonce source of the stores opened
// with it (encfile.OpenContext, dirstore.OpenContext), instead of
// crypto/rand: a simulation draws its nonces from a seeded stream, so that
// a run replays byte for byte. Reusing a nonce under one key leaks
// plaintext relations: never for a real store.
func WithRand(ctx context.Context, r io.Reader) context.Context {
	return context.WithValue(ctx, randKey{}, r)
}

// RandFrom returns the nonce source ctx carries, or nil (crypto/rand).
func RandFrom(ctx context.Context) io.Reader {
	r, _ := ctx.Value(randKey{}).(io.Reader)
	return r
}
