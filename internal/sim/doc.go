// Package sim is how a simulation of this module (the harness, its
// mutants and the product packages' own tests) lends the product packages
// what only a simulation needs, through a context.Context: values shared
// by the thousands of store instances a crash-state explorer opens
// (Shared: decode caches), the seeded nonce source that makes a run replay
// byte for byte (WithRand), and the broken write steps of mutants
// (DirstoreHooks).
//
// Only packages of this module can import it, so nothing of it appears in
// the product packages' APIs (go doc ./impl/...). A context that carries
// nothing from this package, which is every context a user of the module
// can build, gives the product's own behaviour.
package sim
