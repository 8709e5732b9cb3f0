package harness

import (
	"math/rand/v2"

	"github.com/scopemig/scopemig/model"
)

// GenStore draws a store of at most maxKeys keys from seed, with the soak's
// generator (every legacy prefix, twins with equal and conflicting values,
// quarantine slots in use, scoped and user keys). For drivers outside the
// package, such as the real-process soak.
func GenStore(seed uint64, maxKeys int) model.State {
	return genStore(randChooser{rand.New(rand.NewPCG(seed, 0x6e))}, maxKeys)
}
