package encfile

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// Format constants of ToolHive's encrypted file.
const (
	// NonceSize is the size of the GCM nonce that starts the file.
	NonceSize = 12
	// TagSize is the size of the GCM tag that ends the file.
	TagSize = 16
	// Overhead is the size of an encrypted file beyond its plaintext.
	Overhead = NonceSize + TagSize
	// MaxPlaintext is ToolHive's plaintext limit (aes.maxPlaintextSize).
	MaxPlaintext = 32 << 20
	// MaxFileSize is the largest valid file.
	MaxFileSize = MaxPlaintext + Overhead
)

// fileStructure is the plaintext document, as ToolHive marshals it.
type fileStructure struct {
	Secrets map[string]string `json:"secrets"`
}

// KeyFromPassword derives the AES-256 key: SHA-256 of the password, as
// ToolHive does.
func KeyFromPassword(password []byte) [32]byte { return sha256.Sum256(password) }

// newAEAD returns AES-256-GCM for key.
func newAEAD(key [32]byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("encfile: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("encfile: gcm: %w", err)
	}
	return aead, nil
}

// Decode decrypts and parses a whole encrypted file. Data shorter than
// Overhead (the empty file included: the Store, not the codec, treats that
// as an empty store) fails with ErrTruncated, data above MaxFileSize with
// ErrTooLarge, a failed authentication with ErrDecrypt, bad JSON with
// ErrCorrupt. The result is never nil.
func Decode(key [32]byte, data []byte) (map[string]string, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	buf := append([]byte(nil), data...) // decode decrypts in place
	m, _, err := decodeDoc(aead, buf)
	return m, err
}

// decodeDoc decrypts data in place (data is clobbered) and parses it into
// the secrets and the other top-level members (nil when there are none).
func decodeDoc(aead cipher.AEAD, data []byte) (map[string]string, *others, error) {
	m, plain, err := decode(aead, data)
	if err != nil {
		return nil, nil, err
	}
	o, err := parseOthers(plain, m)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return m, o, nil
}

// decode decrypts data in place (data is clobbered) and parses it; it
// also returns the plaintext (aliasing data).
func decode(aead cipher.AEAD, data []byte) (map[string]string, []byte, error) {
	if len(data) > MaxFileSize {
		return nil, nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	if len(data) < Overhead {
		return nil, nil, fmt.Errorf("%w: %d bytes, need at least %d", ErrTruncated, len(data), Overhead)
	}
	nonce, sealed := data[:NonceSize], data[NonceSize:]
	plain, err := aead.Open(sealed[:0], nonce, sealed, nil)
	if err != nil {
		return nil, nil, ErrDecrypt // GCM's error says nothing more
	}
	var doc fileStructure
	if err := json.Unmarshal(plain, &doc); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if doc.Secrets == nil {
		doc.Secrets = map[string]string{}
	}
	return doc.Secrets, plain, nil
}

// Encode marshals and encrypts secrets exactly as ToolHive does, with a
// fresh nonce read from random (crypto/rand when nil). Content above
// MaxPlaintext fails with ErrTooLarge.
func Encode(key [32]byte, secrets map[string]string, random io.Reader) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	out, _, err := encode(aead, secrets, nil, random, nil, nil)
	return out, err
}

// encode appends the encrypted file for secrets to dst[:0]: the nonce,
// then the JSON document (appendDocument: encoding/json's bytes; with o's
// other members around the secrets when o is not nil) sealed in place.
// keys is scratch space for appendDocument, returned for reuse.
func encode(aead cipher.AEAD, secrets map[string]string, o *others, random io.Reader, dst []byte, keys []string) ([]byte, []string, error) {
	if random == nil {
		random = rand.Reader
	}
	dst = append(dst[:0], make([]byte, NonceSize)...)
	if _, err := io.ReadFull(random, dst); err != nil {
		return nil, keys, fmt.Errorf("encfile: nonce: %w", err)
	}
	if o == nil {
		dst, keys = appendDocument(dst, secrets, keys)
	} else {
		dst, keys = appendOthersDocument(dst, secrets, o, keys)
	}
	if n := len(dst) - NonceSize; n > MaxPlaintext {
		return nil, keys, &ContentTooLargeError{Plaintext: n, FileSize: -1}
	}
	dst = slices.Grow(dst, TagSize)
	// Seal in place: the output starts exactly where the plaintext does.
	return aead.Seal(dst[:NonceSize], dst[:NonceSize], dst[NonceSize:], nil), keys, nil
}
