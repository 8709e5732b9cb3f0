package migrate_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/internal/perf"
	"github.com/scopemig/scopemig/model"
)

// benchMigration times m on a fresh copy of fixture.BenchStore(n) in a real
// temp directory per iteration (the copy is not timed), opening the store
// as a new process would, and checks that the last run migrated.
func benchMigration(b *testing.B, n int, m harness.Migrator) {
	ctx := context.Background()
	r, err := perf.NewRealStore(b.TempDir(), fixture.BenchStore(n))
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		require.NoError(b, r.Reset())
		b.StartTimer()
		if err := r.Migrate(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/key")
	require.NoError(b, r.Check(ctx))
}

// BenchmarkMigrate times the project's Runner (keep policy, one Update
// transaction, then the config flag) on encfile over a real temp dir.
func BenchmarkMigrate(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			benchMigration(b, n, fixture.RunnerMigrator(model.Keep, nil))
		})
	}
}

// BenchmarkToolHiveAlgo times the per-key re-implementation of ToolHive
// v0.47.0's migration (perf.ToolHiveMigrator) on the same stores. N=10000
// would take many minutes: capped at 1000.
func BenchmarkToolHiveAlgo(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			benchMigration(b, n, perf.ToolHiveMigrator())
		})
	}
}

// BenchmarkMigrateCache times what `scopemig migrate` does (open the store,
// then the Runner: flag check, one Update transaction, Sync, flag) on a
// real temp dir, without and with the product's decode caches
// (encfile.WithCache, config.Flag.Cache), fresh for each migration as
// they would be in one `scopemig migrate` process. Compare the two
// sub-benchmarks' ns/op: the ratio is what the caches give a real
// migration (docs/performance.md quotes it).
func BenchmarkMigrateCache(b *testing.B) {
	for _, n := range []int{10, 1000} {
		for _, cached := range []bool{false, true} {
			name := fmt.Sprintf("N=%d/none", n)
			if cached {
				name = fmt.Sprintf("N=%d/caches", n)
			}
			b.Run(name, func(b *testing.B) {
				ctx := context.Background()
				r, err := perf.NewRealStore(b.TempDir(), fixture.BenchStore(n))
				require.NoError(b, err)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					b.StopTimer()
					require.NoError(b, r.Reset())
					var (
						opts []encfile.Option
						cfg  *config.Cache
					)
					if cached {
						opts, cfg = []encfile.Option{encfile.WithCache(encfile.NewCache(0))}, config.NewCache(0)
					}
					m := fixture.RunnerMigrator(model.Keep, cfg)
					b.StartTimer()
					if err := r.Migrate(ctx, m, opts...); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				require.NoError(b, r.Check(ctx))
			})
		}
	}
}
