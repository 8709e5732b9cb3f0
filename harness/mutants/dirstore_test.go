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

// The encoder mutant is caught whether its processes share a decode cache
// (as the built-in target's do) or not: the cache records only decoded
// bytes, so the bytes the mutant wrote are decoded by the next process.
func TestUndecodableWriteCaught(t *testing.T) {
	for _, cached := range []bool{true, false} {
		m := undecodableWrite(cached)
		t.Run(m.Name, func(t *testing.T) {
			res := Check(context.Background(), m, harness.Config{Seed: 7})
			require.Truef(t, res.Caught, "%s not caught: got %q, want one of %s (%v)", m.Name, res.Invariant, res.Expect, res.Counterexample)
			t.Logf("%s caught by %s in %.2fs: %v", m.Name, res.Invariant, res.Seconds, res.Counterexample)
		})
	}
}
