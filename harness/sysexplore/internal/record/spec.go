package record

import (
	"os"
	"time"

	"github.com/scopemig/scopemig/harness/sysexplore/internal/trace"
)

// Spec is one traced run.
type Spec struct {
	Argv    []string
	Env     []string
	Dir     string        // working directory ("" = the caller's)
	Root    string        // the explored tree: absolute, symlinks resolved
	KillAt  int           // SIGKILL the tree on entry to this crash point; 0 = never
	Capture bool          // keep the written bytes (for power-mode replay)
	Seed    uint64        // pins the AT_RANDOM bytes of every program started
	Timeout time.Duration // kill the tree after this long (0: never); the run fails
	// Filter installs a seccomp filter in the command so that only the
	// syscalls the recorder follows stop it (the same trace, far fewer
	// stops); where it cannot be installed every syscall is traced
	// (Result.NoFilter says why).
	Filter bool
	// Snapshot, when set, is called with the crash point's number at the
	// entry of every crash point, while the command is stopped there (the
	// syscall not run): it copies the tree, which holds exactly what a
	// SIGKILL on entry would leave. A point where another crash point is
	// running in another thread is not handed over (Result.Unsnapped).
	Snapshot func(point int) error
	Stdout   *os.File
	Stderr   *os.File
}

// Result is what a traced run left.
type Result struct {
	Trace  trace.Trace
	Killed bool     // the tree was killed at Spec.KillAt
	At     trace.Op // the op at the kill point, as seen at its entry
	// Stacks holds the user stack at the entry of the crash points: every
	// one in a Capture run, the kill point in a killed run.
	Stacks map[int]Stack
	// Filtered: the run was traced through the seccomp filter. NoFilter:
	// why not, when Spec.Filter asked for it.
	Filtered bool
	NoFilter string
	// Unsnapped lists the crash points Spec.Snapshot was not called for
	// (or failed at).
	Unsnapped []int
}
