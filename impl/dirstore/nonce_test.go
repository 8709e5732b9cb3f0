package dirstore_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/dirstore"
)

// A Store draws its nonces from the source given with WithRand, else
// (none, or nil) from crypto/rand: seeded twice, the same writes give the
// same files; unseeded, different ones.
func TestNonceSourceOption(t *testing.T) {
	write := func(seeded bool) map[string]string {
		ctx := context.Background()
		fsys := afero.NewMemMapFs()
		opt := dirstore.WithRand(nil)
		if seeded {
			opt = dirstore.WithRand(rand.NewChaCha8([32]byte{7}))
		}
		s, err := dirstore.Open(fsys, dir, pw, opt)
		require.NoError(t, err)
		require.NoError(t, s.SetSecret(ctx, "k", "value-of-k-123"))
		files := map[string]string{}
		entries, err := afero.ReadDir(fsys, dir)
		require.NoError(t, err)
		for _, e := range entries {
			b, err := afero.ReadFile(fsys, dir+"/"+e.Name())
			require.NoError(t, err)
			files[e.Name()] = string(b)
		}
		require.Len(t, files, 1)
		return files
	}
	require.Equal(t, write(true), write(true))
	require.NotEqual(t, write(false), write(false))
}
