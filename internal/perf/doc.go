// Package perf holds what `scopemig bench` and the migration benchmarks
// measure with, apart from the harness: a ToolHive-layout store in a real
// directory (RealStore), a re-implementation of ToolHive v0.47.0's
// per-key migration (the baseline the Runner is compared with) and the
// real-process kill cycle the crash explorer's rate is compared with.
//
// It is internal: none of it is part of verifying a provider.
package perf
