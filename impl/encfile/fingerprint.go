package encfile

import "github.com/scopemig/scopemig/impl/secrets"

// fingerprintInfo is the HKDF context string of the fingerprint key: fixed,
// so that every command on a store prints the same fingerprints, and
// distinct from any other use of the store key.
const fingerprintInfo = "scopemig encfile value fingerprint v1"

// NewFingerprinter returns the keyed fingerprinter of the store encrypted
// under password: HMAC-SHA-256 under HKDF-SHA-256(KeyFromPassword(password),
// info fingerprintInfo). Every run on the same store (the same password)
// prints the same fingerprint for the same value, so a value seen today
// can be matched with the one a migration reported yesterday; without the
// password, a fingerprint cannot be checked against a guessed value. The
// key is derived in memory and never written anywhere.
func NewFingerprinter(password []byte) (secrets.Fingerprinter, error) {
	if len(password) == 0 {
		return secrets.Fingerprinter{}, ErrNoPassword
	}
	key := KeyFromPassword(password)
	return secrets.NewDerivedFingerprinter(key[:], fingerprintInfo)
}
