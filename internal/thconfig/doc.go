// Package thconfig simulates ToolHive v0.47.0's config writer
// (github.com/stacklok/toolhive/pkg/config: LoadOrCreateConfigFromPath and
// UpdateConfigAtPath) on an afero.Fs, for the harness's concurrency phase.
//
// It is derived from ToolHive's own Config struct: Config and the types it
// holds mirror pkg/config.Config field for field — the same Go types, the
// same yaml tags (names and omitempty), the same order — so decoding a
// document into Config and encoding it again with gopkg.in/yaml.v3 (the
// library ToolHive uses) keeps exactly the fields ToolHive keeps, drops
// every field it does not know (unknown top-level fields, unknown nested
// ones, comments, anchors), renders omitempty zero values the way ToolHive
// does, and fails where ToolHive's decoder fails. The interop module holds
// the drift test (TestThconfigMirrorsToolHiveConfig: reflection over the
// real struct, so any field ToolHive adds, drops, retypes or retags fails
// it) and the differential test against the real UpdateConfigAtPath
// (TestThconfigMatchesUpdateConfigAtPath).
//
// Differences that remain are listed in docs/toolhive-differences.md: the
// lock is fslock.AcquireFile (on a simulated disk, the disk's lock of the
// lock file's name; no lock file is created or removed there), and the
// "basic" provider clean-up does not remove ToolHive's old secrets file
// under the XDG data directory (it is outside the simulated disk).
//
// The package holds no mutable package-level state.
package thconfig
