package encfile

import (
	"io"
	"os"
)

// Option configures Open.
type Option func(*options)

type options struct {
	random io.Reader   // nonce source; nil = crypto/rand
	perm   os.FileMode // mode of the written file
}

func defaultOptions() options { return options{perm: 0o600} }

// WithRand sets the nonce source (default crypto/rand). A deterministic
// source is for tests and simulations only: reusing a nonce with one key
// leaks plaintext relations.
func WithRand(r io.Reader) Option { return func(o *options) { o.random = r } }

// WithPerm sets the permission bits of the written file (default 0600).
func WithPerm(perm os.FileMode) Option { return func(o *options) { o.perm = perm.Perm() } }
