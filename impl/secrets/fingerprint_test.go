package secrets_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/secrets"
)

func TestFingerprinterZeroIsStable(t *testing.T) {
	var f secrets.Fingerprinter
	require.False(t, f.Keyed())
	require.Equal(t, secrets.Fingerprint("v"), f.Of("v"))
	sum := sha256.Sum256([]byte("v"))
	require.Equal(t, "sha256:"+hex.EncodeToString(sum[:6]), f.Of("v"))
}

// TestKeyedFingerprinter: equal values match within one Fingerprinter,
// and a fingerprint cannot be confirmed from the value alone (it is not
// the unsalted SHA-256 prefix, and another key gives another fingerprint).
func TestKeyedFingerprinter(t *testing.T) {
	a, err := secrets.NewKeyedFingerprinter(bytes.NewReader(bytes.Repeat([]byte{1}, 32)))
	require.NoError(t, err)
	b, err := secrets.NewKeyedFingerprinter(bytes.NewReader(bytes.Repeat([]byte{2}, 32)))
	require.NoError(t, err)
	require.True(t, a.Keyed())
	require.Equal(t, a.Of("identical"), a.Of("identical"))
	require.NotEqual(t, a.Of("identical"), a.Of("different"))
	require.NotEqual(t, a.Of("identical"), b.Of("identical"))
	require.True(t, strings.HasPrefix(a.Of("identical"), secrets.KeyedFingerprintPrefix))
	sum := sha256.Sum256([]byte("identical"))
	require.NotContains(t, a.Of("identical"), hex.EncodeToString(sum[:6]))
	require.Len(t, a.Of("x"), len(secrets.KeyedFingerprintPrefix)+12)

	_, err = secrets.NewKeyedFingerprinter(bytes.NewReader(make([]byte, 5)))
	require.Error(t, err, "a short key source is an error, never a weak key")
}

// TestDerivedFingerprinter: the same secret and info give the same
// fingerprints in every Fingerprinter (no randomness), another secret or
// another info gives others, and no fingerprint is the SHA-256 prefix of
// its value.
func TestDerivedFingerprinter(t *testing.T) {
	a, err := secrets.NewDerivedFingerprinter([]byte("store key one"), "ctx")
	require.NoError(t, err)
	again, err := secrets.NewDerivedFingerprinter([]byte("store key one"), "ctx")
	require.NoError(t, err)
	other, err := secrets.NewDerivedFingerprinter([]byte("store key two"), "ctx")
	require.NoError(t, err)
	otherInfo, err := secrets.NewDerivedFingerprinter([]byte("store key one"), "ctx2")
	require.NoError(t, err)
	require.True(t, a.Keyed())
	require.Equal(t, a.Of("identical"), again.Of("identical"), "derived, not random")
	require.NotEqual(t, a.Of("identical"), other.Of("identical"))
	require.NotEqual(t, a.Of("identical"), otherInfo.Of("identical"))
	require.NotEqual(t, a.Of("identical"), a.Of("different"))
	sum := sha256.Sum256([]byte("identical"))
	require.NotContains(t, a.Of("identical"), hex.EncodeToString(sum[:6]))
	_, err = secrets.NewDerivedFingerprinter(nil, "ctx")
	require.Error(t, err, "an empty secret would make the key public")
}
