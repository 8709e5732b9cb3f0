package secrets

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// Fingerprint returns a short, stable SHA-256 fingerprint of a secret value
// ("sha256:" and 12 hex digits), for logs, errors and reports, which must
// never print a value. It is unsalted: anyone can compute it for a guess,
// so it is for synthetic values (the harness) and for errors; reports about
// a real store use a keyed Fingerprinter.
func Fingerprint(value string) string {
	sum := sha256.Sum256([]byte(value))
	return "sha256:" + hex.EncodeToString(sum[:6])
}

// KeyedFingerprintPrefix starts every keyed fingerprint.
const KeyedFingerprintPrefix = "hmac:"

// Fingerprinter computes the fingerprints a report prints instead of
// values. The zero value is the stable, unsalted Fingerprint (for synthetic
// values: the harness's counterexamples must be the same in every run). A
// keyed Fingerprinter prints "hmac:" and the first 12 hex digits of
// HMAC-SHA-256 under its key: equal values get equal fingerprints, so a
// report can still show that two values are the same, but nobody without
// the key (which is never printed nor stored) can confirm a guess of a
// value from its fingerprint. The key is either derived from a secret the
// caller already holds (NewDerivedFingerprinter: the same fingerprints in
// every run) or random (NewKeyedFingerprinter: valid for one run only). A
// Fingerprinter is immutable and safe for concurrent use.
type Fingerprinter struct {
	key []byte // nil: unkeyed; never modified
}

// NewKeyedFingerprinter returns a Fingerprinter keyed with 32 bytes read
// from random (crypto/rand when nil).
func NewKeyedFingerprinter(random io.Reader) (Fingerprinter, error) {
	if random == nil {
		random = rand.Reader
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(random, key); err != nil {
		return Fingerprinter{}, fmt.Errorf("fingerprint key: %w", err)
	}
	return Fingerprinter{key: key}, nil
}

// NewDerivedFingerprinter returns a Fingerprinter keyed with 32 bytes
// derived from secret by HKDF-SHA-256 (RFC 5869, no salt) with info as the
// context string: the same secret and info give the same fingerprints in
// every run, and the key reveals nothing about secret (nor secret about
// other keys derived from it with another info). The key is held in memory
// only. An empty secret is an error, never a public key.
func NewDerivedFingerprinter(secret []byte, info string) (Fingerprinter, error) {
	if len(secret) == 0 {
		return Fingerprinter{}, errors.New("fingerprint key: empty secret")
	}
	key, err := hkdf.Key(sha256.New, secret, nil, info, 32)
	if err != nil {
		return Fingerprinter{}, fmt.Errorf("fingerprint key: %w", err)
	}
	return Fingerprinter{key: key}, nil
}

// Keyed reports whether f is keyed.
func (f Fingerprinter) Keyed() bool { return f.key != nil }

// Of returns the fingerprint of value.
func (f Fingerprinter) Of(value string) string {
	if f.key == nil {
		return Fingerprint(value)
	}
	mac := hmac.New(sha256.New, f.key)
	mac.Write([]byte(value))
	return KeyedFingerprintPrefix + hex.EncodeToString(mac.Sum(nil)[:6])
}
