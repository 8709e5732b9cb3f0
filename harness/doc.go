// Package harness checks a secrets provider and a migration against the
// pure reference model (package model) under injected crashes.
//
// A Target names a provider (Open is called once per simulated process
// lifetime, on that process's afero.Fs) and, optionally, a Migrator. Verify
// runs, in order:
//
//   - provider conformance: not-found semantics, overwrite, list exactly
//     once, batch delete, reserved names through UserProvider, odd names
//     and values, and for every single operation a crash at each of its
//     filesystem operations in every mode: the image must hold the old or
//     the new content (I7), and a returned operation must survive power
//     loss (I6);
//   - a rapid property over generated stores and drawn crash schedules of
//     the migration (shrinks to the smallest store and schedule);
//   - a rapid state machine mixing user, scoped and legacy writes,
//     migrations with crashes and restarts, compared with the model after
//     every step;
//   - exhaustive sweeps: a crash at every filesystem operation of the
//     migration in every mode, then at every operation of the recovery run,
//     to the configured depth, then a complete run;
//   - concurrency checks (several simulated processes on one disk).
//
// These phases are written once, over a backend (backend.go): fsBackend
// runs a store that lives on the simulated disk, with filesystem faults
// in every crash mode; opBackend runs a store that does not
// (Target.OpLevelOnly) with faults at its provider calls
// (faults/opfaults), process crashes only, and names the checks it cannot
// run as skipped phases.
//
// Every violation is named by its invariant id (I1–I9, see package model),
// carries a minimal counterexample in which values appear only as
// fingerprints, and a one-line replay command.
//
// Run is Verify from a Go test. Beside Verify, Soak runs randomized cases
// (bigger stores, nested faults) until a deadline and reports each failing
// case as an Artifact, which Replay re-runs exactly; Explore enumerates
// every crash point of one store in each mode (with a Duration, as a rate
// measurement). Targets returns the built-in targets; a custom Migrator
// calls MarkMigrated when its data is durable.
package harness
