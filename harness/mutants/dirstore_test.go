package mutants

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
)

func TestDirstoreMutantsCaught(t *testing.T) {
	for _, m := range dirstoreMutants() {
		t.Run(m.Name, func(t *testing.T) {
			res := Check(context.Background(), m, harness.Config{Seed: 7})
			require.Truef(t, res.Caught, "%s not caught: got %q, want one of %s (%v)", m.Name, res.Invariant, res.Expect, res.Counterexample)
			t.Logf("%s caught by %s in %.2fs: %v", m.Name, res.Invariant, res.Seconds, res.Counterexample)
		})
	}
}
