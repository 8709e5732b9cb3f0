package harness

import "github.com/scopemig/scopemig/faults"

// Op-level targets (Target.OpLevelOnly) keep their store outside the
// afero.Fs the harness passes to Open: a store on the os package, a remote
// service. The harness still passes a simulated disk (the migration flag
// lives there) but cannot clone, image or inspect the store, so:
//
//   - every case starts from a known state by resetting the store through
//     the provider (list, delete what must go, write what is missing; see
//     resetExternal) on a fresh flag disk;
//   - faults are op-level only: opfaults.NewProvider crashes the process
//     before or after the k-th provider call (or fails the call), and the
//     flag's filesystem crashes with it in process mode; a restart is Open
//     again, the store persisting on its own medium;
//   - nothing is claimed about power loss, torn writes or files: I6 reads
//     "an operation that returned is visible after a restart", and the
//     checks that need a file image (I4's file-set comparison, I8's
//     plaintext scan and permissions) and the concurrency phase are
//     reported as skipped phases with zero cases.
//
// A target's Open must tolerate being called again while providers of
// earlier (crashed) processes still exist: the harness never closes them.

// Names of the phases an op-level target cannot run, reported with zero
// cases so that nobody mistakes them for passed.
const (
	skippedFileSet     = "I4 file set (skipped: op-level target)"
	skippedHygiene     = "I8 hygiene (skipped: op-level target)"
	skippedConcurrency = "concurrency (skipped: op-level target)"
)

// opPhases are Verify's phases for an op-level target; the names of the
// ones that run match the filesystem phases, so Config.Skip works alike.
// Crash modes other than process do not apply: Modes is set to process.
func (v *verifier) opPhases() []phase {
	v.cfg.Modes = []faults.Mode{faults.Process}
	v.sw.modes = v.cfg.Modes
	skipped := func() (int, *failure) { return 0, nil }
	return []phase{
		{"conformance", v.opConformance},
		{"property", v.opProperty},
		{"statemachine", v.opStateMachine},
		{"sweep", v.opSweeps},
		{skippedFileSet, skipped},
		{skippedHygiene, skipped},
		{skippedConcurrency, skipped},
	}
}
