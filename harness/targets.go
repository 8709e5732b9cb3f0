package harness

import (
	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/dirstore"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
)

// Targets returns the built-in targets: "encfile" (ToolHive's encrypted
// file, the project's own Runner) and "dirstore" (one encrypted file per
// secret; its Update is a journaled multi-file transaction, so the Runner
// migrates it in one transaction too).
//
// Within one run (Verify, Explore, a soak), the encfile target's stores
// share one decode cache (encfile.WithCache): a restarted process decrypts
// each distinct file content once, keyed by its exact bytes, and only
// bytes a process decrypted are recorded, so the bytes a process wrote are
// decrypted by the next one, as after a real restart; every Open still
// reads and validates the file. Config.NoCache turns the cache off. Each
// simulated process draws its nonces from the same seeded stream
// (encfile.WithRand(simNonces()); the product's default is crypto/rand),
// like every other choice of the harness: a run replays byte for byte,
// and two crash points that leave the same files leave the same bytes.
func Targets() []Target {
	t := Target{Name: "encfile", Open: func(fsys afero.Fs) (secrets.Provider, error) {
		return openEncfile(fsys, nil)
	}, toolHiveStore: fixture.EncfilePath}
	return []Target{t.lendCaches(openEncfile), dirstoreTarget()}
}

// openEncfile opens the built-in encfile target's store on fsys, with c's
// cache (none when c is nil) and the seeded nonces.
func openEncfile(fsys afero.Fs, c *caches) (secrets.Provider, error) {
	nonces := encfile.WithRand(simNonces())
	if c == nil {
		return encfile.Open(fsys, fixture.EncfilePath, []byte(fixture.TestPassword), nonces)
	}
	return encfile.Open(fsys, fixture.EncfilePath, []byte(fixture.TestPassword), c.encOpt, nonces)
}

// dirstoreTarget is the built-in "dirstore" target. Every write touches a
// file per changed key plus a journal, so its default run is smaller to
// stay within seconds: depth 1 unless asked, and at depth 2
// or more (nested crashes: states grow with the square of the operations)
// fewer and smaller generated stores besides the fixture, unless the
// caller set Stores or MaxKeys.
//
// Its processes draw their nonces from the seeded stream too
// (dirstore.WithRand(simNonces())), so its runs replay byte for byte like
// encfile's.
func dirstoreTarget() Target {
	return Target{
		Name: "dirstore",
		Open: func(fsys afero.Fs) (secrets.Provider, error) {
			return dirstore.Open(fsys, fixture.DirstorePath, []byte(fixture.TestPassword), dirstore.WithRand(simNonces()))
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
