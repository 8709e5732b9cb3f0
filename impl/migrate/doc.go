// Package migrate moves ToolHive's legacy system keys (BEARER_TOKEN_x,
// REGISTRY_OAUTH_x, …) into their scoped namespaces (__thv_<scope>_<key>)
// without ever losing a value.
//
// The package has three layers:
//
//   - Discover computes a Plan (one typed Step per legacy key) from a
//     listing and reads; it never writes.
//   - Apply performs the moves. When the provider implements
//     secrets.Updater the whole migration is ONE Update transaction (one
//     atomic replace of the store, recomputed on the content read under the
//     store's lock, so it is race-free and crash-safe). Otherwise it runs per
//     key, write-before-delete, so that a crash at any point leaves every
//     value reachable and a re-run converges.
//   - Runner wires the one-shot flag around it: flag check, capability check,
//     discover (per-key providers; an Updater plans inside its transaction),
//     apply, sync, and only then SetMigrated.
//
// Conflict semantics are those of the reference model (package model), which
// this package deliberately does not import: for a legacy key k with target
// t, t absent → t := k's value ("moved"); t equal → nothing
// ("already-scoped"); t different → Keep stores the value under the first
// quarantine slot (__thv_legacy_k, __thv_legacy_k#2, …, with every "#" of k
// doubled so that the slot of any key is unambiguous:
// secrets.Scheme.QuarantineKey) that is free or already holds it
// ("conflict-quarantined"), Drop discards it
// ("conflict-dropped"). Then k is deleted. Legacy keys are processed in
// sorted order.
//
// ListQuarantine, RestoreQuarantined and DropQuarantined inspect and recover
// the quarantined values (scopemig legacy list|restore|drop); the two writes
// are one Update transaction each.
//
// Nothing in this package prints or returns a secret value: steps carry
// fingerprints (a secrets.Fingerprinter: stable by default, keyed for real
// stores) only.
package migrate
