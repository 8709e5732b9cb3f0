// Package model is the pure reference model of scopemig: a State (the raw
// key/value content of a store plus the migration flag), the migration as a
// function Migrate(State) State under a conflict Policy, the views every
// caller observes, and the invariants as functions that return violations.
//
// Nothing here does I/O, reads a clock or draws randomness, and no function
// mutates its input: every State returned is a fresh copy. The harness
// compares real stores against this package after every step.
//
// It imports no package of this module: its key scheme (ToolHive's) and
// value fingerprints are its own, so the oracle shares no code with the
// implementation it checks; only its tests compare the two.
package model
