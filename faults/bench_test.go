package faults_test

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
)

// twoFileDisk is a store-sized disk: /d with a 1 KiB store and a config,
// both durable, plus an unsynced temp file.
func twoFileDisk(b testing.TB) *faults.MemFS {
	m := faults.NewMemFS()
	require.NoError(b, m.Mkdir("/d", 0o700))
	syncDir(b, m, "/")
	writeSynced(b, m, "/d/store", string(make([]byte, 1024)))
	writeSynced(b, m, "/d/config.yaml", "secret_scope_migration: false\n")
	syncDir(b, m, "/d")
	f, err := m.OpenFile("/d/.store.tmp", os.O_WRONLY|os.O_CREATE, 0o600)
	require.NoError(b, err)
	_, err = f.Write(make([]byte, 1024))
	require.NoError(b, err)
	require.NoError(b, f.Close())
	return m
}

func BenchmarkCloneCrashImage(b *testing.B) {
	m := twoFileDisk(b)
	for _, mode := range faults.Modes() {
		b.Run(mode.String(), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			for b.Loop() {
				c := m.Clone()
				_ = c.CrashImage(mode, rng)
			}
		})
	}
}

func BenchmarkReplaceCycle(b *testing.B) {
	m := twoFileDisk(b)
	data := make([]byte, 1024)
	b.ReportAllocs()
	for b.Loop() {
		p := faults.NewFS(m, nil)
		f, err := p.OpenFile("/d/.store.tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Write(data); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		if err := p.Rename("/d/.store.tmp", "/d/store"); err != nil {
			b.Fatal(err)
		}
		d, err := p.Open("/d")
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Sync(); err != nil {
			b.Fatal(err)
		}
		if err := d.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
