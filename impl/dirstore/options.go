package dirstore

import "io"

// Option configures Open.
type Option func(*options)

type options struct {
	random io.Reader // nonce source; nil = crypto/rand
}

// WithRand sets the source of the nonces every write draws (12 bytes per
// sealed file or journal), as crypto/tls.Config.Rand does for TLS: nil, the
// default, means crypto/rand. The Store reads it under its own lock only;
// a source shared by several Stores must be safe for concurrent use.
//
// A source that repeats itself repeats nonces, and two files sealed under
// one password with one nonce leak the XOR of their plaintexts and let
// anyone forge files: a seeded source is for simulations and tests that
// must replay byte for byte (the harness uses one), never for a store that
// holds real secrets.
func WithRand(r io.Reader) Option { return func(o *options) { o.random = r } }
