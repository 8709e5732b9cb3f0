// Package config reads and sets the one-shot migration flag
// ("secret_scope_migration: true") in ToolHive's YAML config file.
//
// The file is edited as a yaml.Node tree, so every other field — unknown
// ones included — its order, and its comments survive an update, and a file
// that needs no change is never rewritten. Updates are one atomic, durable
// replace (impl/atomicfile) under the directory lock (fslock.Acquire) and
// ToolHive's own config lock, a flock on "config.yaml.lock"
// (fslock.AcquireFile), the lock ToolHive v0.47.0's UpdateConfigAtPath
// holds for its read-modify-write. Without it the two read-modify-writes
// interleave: ToolHive's update or the flag is lost, or, when the flag
// writer reads the file ToolHive has just truncated for its in-place
// write, the whole config is replaced by a flag-only document (issue 11).
// ToolHive removes its lock file after unlocking, which lets one of its
// writers run while scopemig holds the lock (impl/fslock). So SetMigrated's
// last check, immediately before its rename, confirms that the lock file
// is still the one it locked, that the file it read was not written since
// (it keeps that file open: ToolHive writes in place), and, on Linux, that
// nobody has the config open for writing (a read lease); otherwise it
// writes nothing and redoes the read-modify-write. What no check can see
// is listed in docs/toolhive-differences.md.
//
// A config that is a symlink (a dotfile manager's layout) is followed when
// atomicfile.Resolve finds it safe: the target is read and replaced in its
// own directory, and ToolHive's lock is still "<path>.lock" next to the
// link, where UpdateConfigAtPath takes it. An unsafe link fails with
// atomicfile.ErrUnsafeLink (not ErrInvalidConfig) before any write.
package config
