package encfile_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

// TestNewFingerprinterFollowsThePassword: the same password gives the same
// keyed fingerprints in every call (nothing random), another password
// others, and the fingerprint is neither the value's SHA-256 prefix nor the
// HMAC under the store key itself (the key is derived, not reused).
func TestNewFingerprinterFollowsThePassword(t *testing.T) {
	a, err := encfile.NewFingerprinter([]byte("pw one"))
	require.NoError(t, err)
	b, err := encfile.NewFingerprinter([]byte("pw one"))
	require.NoError(t, err)
	c, err := encfile.NewFingerprinter([]byte("pw two"))
	require.NoError(t, err)
	require.Equal(t, a.Of("v"), b.Of("v"))
	require.NotEqual(t, a.Of("v"), c.Of("v"))
	require.True(t, strings.HasPrefix(a.Of("v"), secrets.KeyedFingerprintPrefix))
	sum := sha256.Sum256([]byte("v"))
	require.NotContains(t, a.Of("v"), hex.EncodeToString(sum[:6]))
	key := encfile.KeyFromPassword([]byte("pw one"))
	direct, err := secrets.NewDerivedFingerprinter(key[:], "")
	require.NoError(t, err)
	require.NotEqual(t, direct.Of("v"), a.Of("v"), "a fixed info string separates the fingerprint key")
	_, err = encfile.NewFingerprinter(nil)
	require.ErrorIs(t, err, encfile.ErrNoPassword)
}
