// Package mutants is the harness's own proof: deliberately broken
// migrations and providers, each of which Verify must catch with the
// invariant id it breaks. `scopemig verify` runs the suite and fails if a
// mutant escapes.
package mutants
