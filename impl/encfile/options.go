package encfile

import (
	"os"
)

// Option configures Open.
type Option func(*options)

type options struct {
	perm os.FileMode // mode of the written file
}

func defaultOptions() options { return options{perm: 0o600} }

// WithPerm sets the permission bits of the written file (default 0600).
func WithPerm(perm os.FileMode) Option { return func(o *options) { o.perm = perm.Perm() } }
