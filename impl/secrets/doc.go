// Package secrets defines the provider contract shared by every store in
// scopemig (the same method set as ToolHive's secrets.Provider), the key
// Scheme that splits one flat namespace into scopes, and the two views built
// on top of a raw provider: ScopedProvider (one scope, with the bare-key
// fallback of the migration window) and UserProvider (everything that is not
// a system key).
//
// Deliberate differences from ToolHive v0.47.0 (docs/toolhive-differences.md):
// ScopedProvider.GetSecret never applies the bare-key fallback to a
// reserved name (one starting with the system prefix), so a scope cannot
// read another scope's keys; and every ScopedProvider method refuses an
// empty name with ErrInvalidName, where ToolHive stores "__thv_<scope>_".
//
// The package is pure: it performs no I/O of its own and holds no mutable
// package-level state.
package secrets
