package migrate

import "errors"

// Sentinel errors, tested with errors.Is.
var (
	// ErrUnknownPolicy reports a conflict policy name that is neither
	// "keep" nor "drop".
	ErrUnknownPolicy = errors.New("unknown conflict policy")
	// ErrNoProvider reports a Runner without a Provider.
	ErrNoProvider = errors.New("no secrets provider")
)
