package encfile

import (
	"io"
	"os"
)

// Option configures Open.
type Option func(*options)

type options struct {
	perm   os.FileMode // mode of the written file
	random io.Reader   // nonce source; nil = crypto/rand
	cache  *Cache      // shared decode cache; nil = none
}

func defaultOptions() options { return options{perm: 0o600} }

// WithPerm sets the permission bits of the written file (default 0600).
func WithPerm(perm os.FileMode) Option { return func(o *options) { o.perm = perm.Perm() } }

// WithRand sets the source of the nonce every write draws (12 bytes per
// write), as crypto/tls.Config.Rand does for TLS: nil, the default, means
// crypto/rand. The Store reads it under its own lock only; a source shared
// by several Stores must be safe for concurrent use.
//
// A source that repeats itself repeats nonces, and two files encrypted
// under one password with one nonce leak the XOR of their plaintexts and
// let anyone forge files: a seeded source is for simulations and tests
// that must replay byte for byte (the harness uses one), never for a store
// that holds real secrets.
func WithRand(r io.Reader) Option { return func(o *options) { o.random = r } }

// WithCache makes the Store look up and record decoded files in c, which
// Stores of one process (on any filesystem, with any password) may share;
// nil, the default, means no shared cache. See Cache for what it saves and
// when that is worth it.
func WithCache(c *Cache) Option { return func(o *options) { o.cache = c } }
