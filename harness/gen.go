package harness

import (
	"math/rand/v2"

	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// The store generator lives in internal/fixture (the CLI's real-process
// soak draws from it too); these are its harness-side names.

// chooser draws an integer in [0, n).
type chooser = fixture.Chooser

// rapidChooser draws from rapid (shrinkable).
type rapidChooser struct{ t *rapid.T }

func (c rapidChooser) Intn(label string, n int) int {
	return fixture.RapidChooser{T: c.t}.Intn(label, n)
}

// Rapid makes the generator draw keys as a slice rapid shrinks key by key.
func (c rapidChooser) Rapid() *rapid.T { return c.t }

// randChooser draws from a seeded PRNG (sweeps, soak).
type randChooser struct{ r *rand.Rand }

func (c randChooser) Intn(_ string, n int) int { return c.r.IntN(n) }

var (
	_ chooser = rapidChooser{}
	_ chooser = randChooser{}
)

// genStore draws a store of at most maxKeys keys (fixture.GenStore).
func genStore(c chooser, maxKeys int) model.State { return fixture.GenStore(c, maxKeys) }

// genStoreN draws a store of exactly n keys (Explore's fixed size).
func genStoreN(c chooser, n int) model.State { return fixture.GenStoreN(c, n) }

// genConfig draws the config file of a generated case (fixture.GenConfig).
func genConfig(c chooser) model.Config { return fixture.GenConfig(c) }

// valueOf is the generated value of i (fixture.ValueOf).
func valueOf(i int) string { return fixture.ValueOf(i) }
