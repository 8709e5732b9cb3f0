// Package interop checks scopemig against the real ToolHive v0.47.0 code
// (github.com/stacklok/toolhive@v0.47.0). It is its own Go module so that
// ToolHive's large dependency graph never enters the main module: `go test
// ./...` at the repository root does not build it; `make interop` does.
//
// Every test reads stores back with ToolHive's own code — its
// EncryptedManager, ScopedProvider, UserProvider and config loader — so a
// pass means ToolHive itself sees what scopemig wrote:
//
//   - fixture acceptance: the ToolHive-written fixture, migrated by scopemig
//     (in-process packages and the real CLI), reads back as
//     expected-after-seed-migration.json in every view;
//   - random stores: seeded stores written by ToolHive, migrated by scopemig
//     (policy drop) and by ToolHive's own MigrateSystemKeys on a copy, read
//     back equal in every view;
//   - the lost update: a scoped write that lands between ToolHive's
//     existence check and its write is overwritten by the old bare value;
//     scopemig's Runner under the same interleaving keeps it;
//   - the simulated ToolHive config writer of the harness (internal/thconfig)
//     against ToolHive's real Config struct (drift, by reflection) and its
//     real UpdateConfigAtPath (a differential test on generated configs);
//   - ToolHive's lock-file race with real processes (cmd/cfgdriver, frozen
//     at chosen system calls by a ptrace helper): what scopemig's flag
//     write closes, the residual, and the natural rate;
//   - benchmarks of both migrations on the same real encrypted store.
//
// The package has no non-test code; cmd/thvdriver and cmd/cfgdriver are
// the driver binaries the tests build.
package interop
