package harness

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/model"
)

// runShards returns the prefix a serial loop would: every shard up to and
// including the first failing one, in index order, whatever the number of
// workers; shards after a failure that have not started are skipped.
func TestRunShardsPrefix(t *testing.T) {
	fail := &failure{vs: []model.Violation{{ID: model.I2}}}
	shard := func(i int) shardResult {
		r := shardResult{cases: 1, states: i, reused: i % 2}
		if i == 5 || i == 8 {
			r.f = fail
		}
		return r
	}
	for _, workers := range []int{1, 2, 4, 16} {
		var ran atomic.Int64
		rs := runShards(context.Background(), workers, 10, func(c *shardCtl) shardResult { ran.Add(1); return shard(c.i) })
		require.Len(t, rs, 6, "workers=%d", workers)
		for i, r := range rs {
			require.Equal(t, i, r.states)
		}
		sw := &sweeper{}
		cases, f := sw.merge(rs)
		require.Equal(t, 6, cases)
		require.Same(t, fail, f)
		require.Equal(t, 0+1+2+3+4+5, sw.states)
		require.Equal(t, 3, sw.reused)
		require.GreaterOrEqual(t, int(ran.Load()), 6)
		if workers == 1 {
			require.Equal(t, int64(6), ran.Load(), "one worker stops at the failure")
		}
	}
	rs := runShards(context.Background(), 3, 4, func(*shardCtl) shardResult { return shardResult{cases: 1} })
	require.Len(t, rs, 4, "no failure: every shard")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.Empty(t, runShards(ctx, 2, 4, func(c *shardCtl) shardResult { return shard(c.i) }), "an ended context starts nothing")
}

// A shard that announces a failure it does not return (or shards that
// stop early because of it) cannot cut the prefix: runShards re-runs what
// was abandoned below the first real failure.
func TestRunShardsWrongAnnouncement(t *testing.T) {
	fail := &failure{vs: []model.Violation{{ID: model.I2}}}
	for _, workers := range []int{1, 2, 4} {
		rs := runShards(context.Background(), workers, 8, func(c *shardCtl) shardResult {
			if c.i == 1 {
				c.failing() // but returns no failure
				return shardResult{cases: 1, states: 1}
			}
			if c.stop() {
				c.abandon()
				return shardResult{states: -1000}
			}
			r := shardResult{cases: 1, states: 1}
			if c.i == 6 {
				r.f = fail
			}
			return r
		})
		require.Len(t, rs, 7, "workers=%d", workers)
		for _, r := range rs {
			require.Equal(t, 1, r.states)
		}
	}
}
