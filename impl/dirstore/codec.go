package dirstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// Format constants.
const (
	magic     = "SMD1"
	nonceSize = 12
	tagSize   = 16
	// Suffix ends every secret file name.
	Suffix = ".sec"
	// MaxSecretSize bounds name plus value of one secret (32 MiB).
	MaxSecretSize = 32 << 20
	// hexLen is the length of the hex part of a secret file name.
	hexLen = 2 * sha256.Size
)

// codec encrypts secret files; immutable after newCodec, safe for
// concurrent use.
type codec struct {
	aead    cipher.AEAD
	nameKey []byte
}

func newCodec(password []byte) (*codec, error) {
	key := sha256.Sum256(password)
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("dirstore: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("dirstore: gcm: %w", err)
	}
	mac := hmac.New(sha256.New, key[:])
	mac.Write([]byte("scopemig dirstore file names"))
	return &codec{aead: aead, nameKey: mac.Sum(nil)}, nil
}

// fileName is the base name of the file holding secret name.
func (c *codec) fileName(name string) string {
	mac := hmac.New(sha256.New, c.nameKey)
	mac.Write([]byte(name))
	return hex.EncodeToString(mac.Sum(nil)) + Suffix
}

// isSecretFile reports whether base has the shape of a secret file name.
func isSecretFile(base string) bool {
	h, ok := strings.CutSuffix(base, Suffix)
	if !ok || len(h) != hexLen {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// seal returns the content of file base holding name=value, with a nonce
// read from random.
func (c *codec) seal(base, name, value string, random io.Reader) ([]byte, error) {
	if len(name)+len(value) > MaxSecretSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(name)+len(value))
	}
	plain := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(name)+len(value)), uint64(len(name)))
	plain = append(append(plain, name...), value...)
	out := make([]byte, len(magic)+nonceSize, len(magic)+nonceSize+len(plain)+tagSize)
	copy(out, magic)
	if _, err := io.ReadFull(random, out[len(magic):]); err != nil {
		return nil, fmt.Errorf("dirstore: nonce: %w", err)
	}
	clear(plain[:0])
	return c.aead.Seal(out, out[len(magic):], plain, aad(base)), nil
}

// open decrypts the content of file base and checks that the name inside
// belongs to that file.
func (c *codec) open(base string, data []byte) (name, value string, err error) {
	if len(data) < len(magic)+nonceSize+tagSize || string(data[:len(magic)]) != magic {
		return "", "", fmt.Errorf("%w: %s: bad header or truncated (%d bytes)", ErrCorrupt, base, len(data))
	}
	nonce := data[len(magic) : len(magic)+nonceSize]
	plain, err := c.aead.Open(nil, nonce, data[len(magic)+nonceSize:], aad(base))
	if err != nil {
		return "", "", fmt.Errorf("%w: %s", ErrDecrypt, base)
	}
	n, k := binary.Uvarint(plain)
	if k <= 0 || n > uint64(len(plain)-k) {
		return "", "", fmt.Errorf("%w: %s: bad name length", ErrCorrupt, base)
	}
	name, value = string(plain[k:k+int(n)]), string(plain[k+int(n):])
	if c.fileName(name) != base {
		return "", "", fmt.Errorf("%w: %s does not hold the secret its name says", ErrCorrupt, base)
	}
	return name, value, nil
}

func aad(base string) []byte { return []byte(magic + base) }
