package harness

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// SoakConfig tunes Soak. The zero value runs one shard on every core with
// stores of up to 200 keys and up to 4 nested faults, until ctx ends.
type SoakConfig struct {
	// Seed is the base seed; case i uses a seed derived from (Seed, i).
	// 0 means 1.
	Seed uint64
	// Duration stops the soak after this long (0: until ctx ends or
	// MaxCases cases ran).
	Duration time.Duration
	// Workers is the number of goroutines running cases (default
	// GOMAXPROCS).
	Workers int
	// Shard and Shards partition the case indices: this run takes the
	// indices i with i%Shards == Shard (default 0 of 1).
	Shard, Shards int
	// MaxKeys bounds the generated stores (default 200).
	MaxKeys int
	// Depth bounds the number of faulty runs before the complete one
	// (default 4).
	Depth int
	// CrashAfterError lets later crashes follow an injected EIO/ENOSPC in
	// the same case (off by default: an error step ends the faulty runs
	// and the retry runs to completion, the sweeps' fault model). On, it
	// finds that a run after a failed fsync can see non-durable data and
	// set the flag over it (docs/soak.md).
	CrashAfterError bool
	// MaxCases stops after this many cases of this shard (0: no limit).
	MaxCases int
	// KeepGoing records every failing case instead of stopping at the
	// first.
	KeepGoing bool
	// Progress, when set, is called every ProgressEvery (default 1s) from
	// one goroutine, and once at the end, with the report so far.
	Progress      func(SoakReport)
	ProgressEvery time.Duration
}

func (c SoakConfig) withDefaults() SoakConfig {
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Shards <= 0 {
		c.Shards = 1
	}
	if c.MaxKeys <= 0 {
		c.MaxKeys = 200
	}
	if c.Depth <= 0 {
		c.Depth = 4
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = time.Second
	}
	return c
}

// SoakReport is the result of Soak.
type SoakReport struct {
	Target      string  `json:"target"`
	Seed        uint64  `json:"seed"`
	Shard       int     `json:"shard"`
	Shards      int     `json:"shards"`
	Workers     int     `json:"workers"`
	MaxKeys     int     `json:"max_keys"`
	Depth       int     `json:"depth"`
	Cases       int     `json:"cases"`
	CrashStates int     `json:"crash_states"`
	Runs        int     `json:"runs"`
	Seconds     float64 `json:"seconds"`
	// Failures holds one artifact per failing case, by case index.
	Failures []Artifact `json:"failures"`
}

// OK reports whether no case failed.
func (r SoakReport) OK() bool { return len(r.Failures) == 0 }

// CasesPerSecond is Cases / Seconds.
func (r SoakReport) CasesPerSecond() float64 {
	if r.Seconds <= 0 {
		return 0
	}
	return float64(r.Cases) / r.Seconds
}

// soakCounters are the shared figures; atomics, no lock.
type soakCounters struct {
	cases, states, runs atomic.Int64
}

// stats returns head with the figures so far.
func (c *soakCounters) stats(head SoakReport, start time.Time) SoakReport {
	head.Cases, head.CrashStates, head.Runs = int(c.cases.Load()), int(c.states.Load()), int(c.runs.Load())
	head.Seconds = time.Since(start).Seconds()
	return head
}

// Soak runs randomized cases of target t until the deadline (Duration or
// ctx), on Workers goroutines. Case i depends only on (Seed, i, MaxKeys,
// Depth), so any case can be replayed (Replay) and the same seed gives
// the same sequence of cases. Each case: a store of up to MaxKeys keys, up
// to Depth nested faulty runs (crashes of every mode at random operations,
// EIO/ENOSPC errors), each checked on restart, then a complete run (I1–I9
// as in the sweeps). A failing case is shrunk to a minimal store and
// returned as an Artifact. Memory stays flat: nothing is kept per case but
// the counters. Cases are run with a context that the deadline does not
// cancel (a case is never cut in the middle); the deadline is checked
// between cases. The error is non-nil only for a bad configuration or
// target (ErrBadTarget, ErrBadConfig).
func Soak(ctx context.Context, t Target, cfg SoakConfig) (SoakReport, error) {
	cfg = cfg.withDefaults()
	rep := SoakReport{Target: t.Name, Seed: cfg.Seed, Shard: cfg.Shard, Shards: cfg.Shards, Workers: cfg.Workers, MaxKeys: cfg.MaxKeys, Depth: cfg.Depth}
	if t.Open == nil {
		return rep, fmt.Errorf("%w: %q has no Open function", ErrBadTarget, t.Name)
	}
	if cfg.Shard < 0 || cfg.Shard >= cfg.Shards {
		return rep, fmt.Errorf("%w: shard %d/%d is outside [0, %d)", ErrBadConfig, cfg.Shard, cfg.Shards, cfg.Shards)
	}
	start := time.Now()
	runCtx := context.WithoutCancel(ctx)
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()

	var (
		cnt  soakCounters
		next atomic.Int64
		mu   sync.Mutex // guards rep.Failures
	)
	head := rep // the report's fixed fields; Progress gets them with the figures so far
	progress := func() SoakReport {
		r := cnt.stats(head, start)
		mu.Lock()
		r.Failures = slices.Clone(rep.Failures)
		mu.Unlock()
		return r
	}
	progressDone := make(chan struct{})
	var pwg sync.WaitGroup
	if cfg.Progress != nil {
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			tick := time.NewTicker(cfg.ProgressEvery)
			defer tick.Stop()
			for {
				select {
				case <-progressDone:
					return
				case <-tick.C:
					cfg.Progress(progress())
				}
			}
		}()
	}
	var g errgroup.Group
	for range cfg.Workers {
		g.Go(func() error {
			r := newSoakRunner(runCtx, t, cfg)
			for ctx.Err() == nil {
				j := int(next.Add(1) - 1)
				if cfg.MaxCases > 0 && j >= cfg.MaxCases {
					return nil
				}
				res, err := r.run(cfg.Seed, cfg.Shard+cfg.Shards*j)
				if err != nil {
					return err
				}
				cnt.cases.Add(1)
				cnt.states.Add(int64(res.states))
				cnt.runs.Add(int64(res.runs))
				if res.art == nil {
					continue
				}
				mu.Lock()
				rep.Failures = append(rep.Failures, *res.art)
				mu.Unlock()
				if !cfg.KeepGoing {
					stop()
				}
			}
			return nil
		})
	}
	err := g.Wait()
	close(progressDone)
	pwg.Wait()
	failures := rep.Failures
	rep = cnt.stats(head, start)
	rep.Failures = failures
	sortArtifacts(rep.Failures)
	if cfg.Progress != nil {
		cfg.Progress(rep)
	}
	return rep, err
}

func newSoakRunner(ctx context.Context, t Target, cfg SoakConfig) *soakRunner {
	return &soakRunner{e: newEnv(ctx, t), maxKeys: cfg.MaxKeys, depth: cfg.Depth, crashAfterError: cfg.CrashAfterError}
}

// caseResult is the outcome of one case.
type caseResult struct {
	desc         soakCase
	states, runs int
	art          *Artifact
}

// run plans, runs and (on failure) shrinks case index. The error is
// non-nil only when the store cannot be seeded at all.
func (r *soakRunner) run(base uint64, index int) (caseResult, error) {
	sw := &sweeper{e: r.e, depth: r.depth, seed: caseSeed(base, index)}
	s0, steps, desc, d0, err := r.plan(base, index)
	if err != nil {
		return caseResult{desc: desc}, fmt.Errorf("%w: %v", ErrBadTarget, err)
	}
	f, err := r.exec(sw, s0, steps, d0)
	if err != nil {
		return caseResult{desc: desc}, fmt.Errorf("%w: case %d: %v", ErrBadTarget, index, err)
	}
	if f != nil || r.describe {
		desc.Store = describeState(s0) // fingerprints of every value: only when reported
	}
	res := caseResult{desc: desc, states: sw.states, runs: sw.runs}
	if f != nil {
		f = r.shrink(sw, f, steps)
		a := newArtifact(r, base, desc, f)
		res.art = &a
	}
	return res, nil
}
