package sim

import (
	"context"
	"io"
)

// randKey is the context key of a nonce source.
type randKey struct{}

// WithRand returns ctx carrying newRand: every store opened with it
// (encfile.OpenContext, dirstore.OpenContext) draws its nonces from a
// fresh newRand() instead of crypto/rand. A simulation passes a seeded
// stream, so that a run replays byte for byte; reusing a nonce under one
// key leaks plaintext relations, so never for a real store.
func WithRand(ctx context.Context, newRand func() io.Reader) context.Context {
	return context.WithValue(ctx, randKey{}, newRand)
}

// RandFrom returns a fresh nonce source from the one ctx carries
// (WithRand), or nil (crypto/rand) when it carries none.
func RandFrom(ctx context.Context) io.Reader {
	newRand, _ := ctx.Value(randKey{}).(func() io.Reader)
	if newRand == nil {
		return nil
	}
	return newRand()
}
