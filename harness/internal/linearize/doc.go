// Package linearize is the concurrency phase's oracle: it records the
// operations of concurrent simulated processes (History) and checks, with
// porcupine, that some sequential order of them is allowed by the model
// (Check): a store shared by processes and its config file, a whole
// migration one atomic operation, each of ToolHive's config updates one
// field set. An operation whose outcome is unknown (a crash) may or may
// not have taken effect.
package linearize
