// Package opfaults injects faults at the level of whole provider calls:
// Provider wraps a secrets.Provider as one simulated process that crashes
// before or after its k-th call (the call is not made, or is made and its
// result lost) or fails it with an error wrapping faults.ErrInjected. It is
// the fault layer of targets whose store does not live on an afero.Fs
// (harness.Target.OpLevelOnly); package faults, which knows nothing of
// secrets providers, is the filesystem-level layer.
//
// Injectors print as a schedule that ParseSchedule reads back, in the
// syntax of faults.ParseSchedule:
//
//	opcrash(call=3,when=after);operr(call=5)
package opfaults
