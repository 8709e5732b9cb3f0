// Package config reads and sets the one-shot migration flag
// ("secret_scope_migration: true") in ToolHive's YAML config file.
//
// The file is edited as a yaml.Node tree, so every other field — unknown
// ones included — its order, and its comments survive an update, and a file
// that needs no change is never rewritten. Updates are one atomic, durable
// replace (impl/atomicfile) under the directory lock (impl/fslock).
package config
