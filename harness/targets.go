package harness

import (
	"context"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/dirstore"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/internal/sim"
)

// Targets returns the built-in targets: "encfile" (ToolHive's encrypted
// file, the project's own Runner) and "dirstore" (one encrypted file per
// secret; its Update is a journaled multi-file transaction, so the Runner
// migrates it in one transaction too).
//
// The encfile target's stores share one decode cache (per Targets call: a
// sim.Shared in the context of their Open): a restarted process decrypts
// each distinct file content once, keyed by its exact bytes; every Open
// still reads and validates the file. Each simulated process draws its
// nonces from the same seeded stream (simNonces, through sim.WithRand; the
// product uses crypto/rand), like every other choice of the harness: a run
// replays byte for byte, and two crash points that leave the same files
// leave the same bytes.
func Targets() []Target {
	simctx := sim.WithRand(sim.NewContext(context.Background(), sim.NewShared()), simNonces)
	return []Target{
		{Name: "encfile", Open: func(fsys afero.Fs) (secrets.Provider, error) {
			return encfile.OpenContext(simctx, fsys, fixture.EncfilePath, []byte(fixture.TestPassword))
		}, toolHiveStore: fixture.EncfilePath},
		dirstoreTarget(),
	}
}

// dirstoreTarget is the built-in "dirstore" target. Every write touches a
// file per changed key plus a journal, so its default run is smaller to
// stay within seconds: depth 1 unless asked, and at depth 2
// or more (nested crashes: states grow with the square of the operations)
// fewer and smaller generated stores besides the fixture, unless the
// caller set Stores or MaxKeys.
//
// Its processes draw their nonces from the seeded stream too (simNonces),
// so its runs replay byte for byte like encfile's.
func dirstoreTarget() Target {
	simctx := sim.WithRand(context.Background(), simNonces)
	return Target{
		Name: "dirstore",
		Open: func(fsys afero.Fs) (secrets.Provider, error) {
			return dirstore.OpenContext(simctx, fsys, fixture.DirstorePath, []byte(fixture.TestPassword))
		},
		Defaults: dirstoreDefaults,
	}
}

func dirstoreDefaults(c Config) Config {
	if c.Depth <= 0 {
		c.Depth = 1
	}
	if c.Checks <= 0 {
		c.Checks = 25
	}
	stores, keys := 4, 8
	if c.Depth >= 2 {
		stores, keys = 1, 6
	}
	if c.Stores <= 0 {
		c.Stores = stores
	}
	if c.MaxKeys <= 0 {
		c.MaxKeys = keys
	}
	return c
}
