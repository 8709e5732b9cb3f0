package encfile_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/fslock"
)

// A Store draws its nonces from the source given with WithRand (a
// simulation's seeded stream), so the same writes give the same bytes;
// without one (or with nil) it uses crypto/rand and they differ.
func TestNonceSourceOption(t *testing.T) {
	write := func(seeded bool) []byte {
		fsys := fslock.WithLocker(afero.NewMemMapFs())
		opt := encfile.WithRand(nil)
		if seeded {
			opt = encfile.WithRand(rand.NewChaCha8([32]byte{7}))
		}
		s, err := encfile.Open(fsys, "/d/s", password, opt)
		require.NoError(t, err)
		require.NoError(t, s.SetSecret(ctx, "k", "value-of-k-123"))
		b, err := afero.ReadFile(fsys, "/d/s")
		require.NoError(t, err)
		return b
	}
	a, b := write(true), write(true)
	require.Equal(t, a, b, "one seeded stream, one file")
	want := make([]byte, encfile.NonceSize)
	_, _ = rand.NewChaCha8([32]byte{7}).Read(want)
	require.Equal(t, want, a[:encfile.NonceSize], "the nonce is the stream's first bytes")
	require.False(t, bytes.Equal(write(false)[:encfile.NonceSize], write(false)[:encfile.NonceSize]), "crypto/rand nonces differ")
}
