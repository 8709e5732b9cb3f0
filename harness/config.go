package harness

import (
	"io"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/internal/report"
)

// ErrBadConfig reports a configuration that cannot be run: a SoakConfig
// shard outside [0, Shards), an Artifact of another format version or
// without the fields a replay needs, an exploration of an ExecTarget that
// cannot start. It is sysexplore.ErrBadConfig: one error for both
// explorers.
var ErrBadConfig = report.ErrBadConfig

// Config tunes Verify. The zero value means sensible defaults, sized so that
// Verify on one target takes a few seconds on one core.
type Config struct {
	// Seed drives every random choice (rapid's seed, generated stores,
	// power-partial subsets). 0 picks one at random; the report prints it.
	Seed uint64
	// Checks is the number of rapid cases for the migration property and
	// the state machine (default 40).
	Checks int
	// Depth is the crash nesting depth of the exhaustive sweeps: 1 crashes
	// the migration once, 2 also crashes every recovery run, … (default 2).
	Depth int
	// Stores is the number of generated stores swept exhaustively besides
	// the fixture store (default 12).
	Stores int
	// MaxKeys bounds the size of generated stores (default 12).
	MaxKeys int
	// Modes are the crash modes to inject (default: all four; op-level
	// targets, OpLevelOnly, always run in process mode only).
	Modes []faults.Mode
	// Skip turns phases off by name: "conformance", "property",
	// "statemachine", "sweep", "concurrency".
	Skip []string
	// Workers is the number of goroutines running the shards of each
	// phase: the sweeps (one shard per store), the rapid cases (shards of
	// a fixed number of cases) and the concurrency cases (default
	// GOMAXPROCS). The report, crash-state counts included, is the same
	// for any number of workers and the same seed. Op-level targets
	// (OpLevelOnly: one external store) always run on one.
	Workers int
	// NoCache turns off every cache of the run: the verdict memo (every
	// crash image, complete run and observed state is checked afresh
	// instead of once per distinct content: Report.DistinctImages then
	// equals CrashStates), the memo of parsed config documents, and the
	// decode caches lent to the built-in targets' stores and to the
	// project's Runner (every process decrypts and parses every file it
	// reads). The verdicts, and so the report, are the same either way;
	// this exists to prove that. A target's own caches are its own.
	NoCache bool
	// StopAtFirst stops Verify at the first violation (mutant runs).
	StopAtFirst bool
	// FailFiles, when set, names rapid's fail files: a failing property or
	// state machine saves its minimal case under
	// testdata/rapid/<FailFiles>_<target>_<phase>/ (relative to the working
	// directory; rapid turns other characters into "_"), and every later run
	// replays the saved cases first. Commit
	// them from real bugs as regression tests. Run sets it to the test's
	// name; empty (the default) writes nothing.
	FailFiles string
	// Log receives one progress line per phase; nil discards.
	Log io.Writer
}

func (c Config) withDefaults() Config {
	if c.Checks <= 0 {
		c.Checks = 40
	}
	if c.Depth <= 0 {
		c.Depth = 2
	}
	if c.Stores <= 0 {
		c.Stores = 12
	}
	if c.MaxKeys <= 0 {
		c.MaxKeys = 12
	}
	if len(c.Modes) == 0 {
		c.Modes = []faults.Mode{faults.Process, faults.Torn, faults.Power, faults.PowerPartial}
	}
	if c.Workers <= 0 {
		c.Workers = defaultWorkers()
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	return c
}

func (c Config) skips(phase string) bool {
	for _, s := range c.Skip {
		if s == phase {
			return true
		}
	}
	return false
}
