package encfile

import (
	"errors"
	"fmt"
)

// Sentinel errors; test them with errors.Is.
var (
	// ErrDecrypt reports a file that does not authenticate under the key.
	// AES-GCM cannot tell a wrong password from a corrupted file.
	ErrDecrypt = errors.New("cannot decrypt secrets file: wrong password or corrupt store")
	// ErrTruncated reports a non-empty file shorter than nonce and tag.
	ErrTruncated = errors.New("secrets file is truncated")
	// ErrTooLarge reports a file or a content above the 32 MiB plaintext
	// limit of ToolHive's format.
	ErrTooLarge = errors.New("secrets file is too large (limit 32 MiB of plaintext)")
	// ErrNotRegular reports a store path that is a directory, a symlink or
	// another non-regular file.
	ErrNotRegular = errors.New("secrets file is not a regular file")
	// ErrCorrupt reports a file that decrypts to something other than the
	// expected JSON document.
	ErrCorrupt = errors.New("secrets file is corrupt: decrypted content is not the expected JSON")
	// ErrNoPassword reports an empty password.
	ErrNoPassword = errors.New("empty secrets password")
	// ErrInvalidValue reports a value ToolHive's JSON format cannot store
	// unchanged (invalid UTF-8: encoding/json would silently replace the
	// bad bytes with U+FFFD, in ToolHive's reader too). It wraps
	// errors.ErrUnsupported.
	ErrInvalidValue = fmt.Errorf("secret value not representable in the encrypted file (invalid UTF-8): %w", errors.ErrUnsupported)
)

// ContentTooLargeError reports a write whose new content would exceed
// ToolHive's plaintext limit: the size named is that of the result, not of
// the file on disk (which is within the limit). It satisfies
// errors.Is(err, ErrTooLarge). Nothing was written.
type ContentTooLargeError struct {
	// Plaintext is the size of the new content's JSON document.
	Plaintext int
	// FileSize is the size of the store file now (before the write); -1
	// when there is no file in question (Encode).
	FileSize int
}

func (e *ContentTooLargeError) Error() string {
	msg := fmt.Sprintf("the new content would be %d bytes of plaintext, above the limit of %d (32 MiB) of ToolHive's format", e.Plaintext, MaxPlaintext)
	if e.FileSize >= 0 {
		msg += fmt.Sprintf(" (the store file now holds %d bytes); nothing written", e.FileSize)
	}
	return msg
}

// Is reports whether target is ErrTooLarge.
func (e *ContentTooLargeError) Is(target error) bool { return target == ErrTooLarge }
