package dirstore

import "errors"

// Sentinel errors; test them with errors.Is.
var (
	// ErrDecrypt reports a secret file that does not authenticate under the
	// key (wrong password, a corrupt file, or a file renamed by hand).
	ErrDecrypt = errors.New("dirstore: cannot decrypt secret file: wrong password or corrupt store")
	// ErrCorrupt reports a secret file that is too short, has a bad header,
	// or decrypts to a name that does not match its file name.
	ErrCorrupt = errors.New("dirstore: corrupt secret file")
	// ErrNotDir reports a store path that exists and is not a directory.
	ErrNotDir = errors.New("dirstore: store path is not a directory")
	// ErrNoPassword reports an empty password.
	ErrNoPassword = errors.New("dirstore: empty password")
	// ErrTooLarge reports a secret above MaxSecretSize.
	ErrTooLarge = errors.New("dirstore: secret too large")
)
