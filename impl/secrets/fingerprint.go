package secrets

import (
	"crypto/sha256"
	"encoding/hex"
)

// Fingerprint returns a short, stable SHA-256 fingerprint of a secret value
// ("sha256:" and 12 hex digits), for logs, errors and reports, which must
// never print a value.
func Fingerprint(value string) string {
	sum := sha256.Sum256([]byte(value))
	return "sha256:" + hex.EncodeToString(sum[:6])
}
