package migrate

import "errors"

// Sentinel errors, tested with errors.Is.
var (
	// ErrUnknownPolicy reports a conflict policy name that is neither
	// "keep" nor "drop".
	ErrUnknownPolicy = errors.New("unknown conflict policy")
	// ErrNoProvider reports a Runner without a Provider.
	ErrNoProvider = errors.New("no secrets provider")
	// ErrFlagNotSet reports a run whose data migration is complete and
	// durable but whose flag could not be written (a full disk, say): the
	// store is migrated, the flag is not set, and running again is safe (it
	// finds nothing to move and sets the flag). Runner's Report then has
	// StatusFlagNotSet.
	ErrFlagNotSet = errors.New("store migrated, flag not set, re-running is safe")
	// ErrFlagNotWritable reports a run refused before any write because the
	// flag store's preflight (FlagPreflighter) failed.
	ErrFlagNotWritable = errors.New("the migration flag cannot be written; nothing changed")
)
