package encfile_test

import (
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/fslock"
)

// BenchmarkOpenGet measures the harness's pattern: open a store (validate,
// decrypt) and read one key.
func BenchmarkOpenGet(b *testing.B) {
	mem := fslock.WithLocker(afero.NewMemMapFs())
	require.NoError(b, afero.WriteFile(mem, "/s/secrets", fixtureFile(b), 0o600))
	b.ReportAllocs()
	for b.Loop() {
		s, err := encfile.Open(mem, "/s/secrets", password)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.GetSecret(ctx, "github-token"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSet measures one locked read-modify-write with its atomic replace.
func BenchmarkSet(b *testing.B) {
	mem := fslock.WithLocker(afero.NewMemMapFs())
	require.NoError(b, afero.WriteFile(mem, "/s/secrets", fixtureFile(b), 0o600))
	s, err := encfile.Open(mem, "/s/secrets", password)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.SetSecret(ctx, "k", "v"); err != nil {
			b.Fatal(err)
		}
	}
}
