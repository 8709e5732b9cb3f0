package sysexplore

import (
	"io"
	"strings"
	"time"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// Config is one exploration. From and Argv are required; the zero value
// of every other field is a sensible default.
type Config struct {
	// From is the starting directory (S0). Every run gets a fresh copy.
	From string
	// Argv is the command; "{dir}" in any argument is replaced by the
	// fresh copy of From.
	Argv []string
	// Modes to explore (default: all).
	Modes []faults.Mode
	// FS lists the persistence models the power modes are run under
	// (default: Strict); with both, each violation says in which it
	// occurs (Violation.Verdict).
	FS []FSModel
	// Policy is the conflict policy the model is run with (default keep).
	Policy model.Policy
	// Seed of the power-partial subsets (0 means 1).
	Seed uint64
	// Subsets is the number of power-partial draws per crash point
	// (default 2): seeds Seed, Seed+1, ...
	Subsets int
	// Point, when > 0, explores that crash point only (a replay).
	Point int
	// ImageID, when set, is the crash image a replay must reach (a
	// violation's Image): a command whose syscalls depend on scheduling is
	// re-run (process mode) or re-recorded (power modes) until the image
	// at the crash point has this fingerprint.
	ImageID string
	// Attempts bounds the re-runs of a nondeterministic command (default
	// 64); a point still not reached is reported inconclusive.
	Attempts int
	// RunTimeout bounds one run of the command (default 2 minutes): a
	// traced run that exceeds it is killed and the exploration fails with
	// context.DeadlineExceeded; a restart that exceeds it is an I4
	// violation ("cannot run").
	RunTimeout time.Duration
	// Dump, when set, is a command printing the store in "{dir}" as JSON
	// {"secrets":{...},"migrated":bool}; nil reads ToolHive's layout
	// natively (Layout, Password).
	Dump []string
	// Layout names the native store files.
	Layout Layout
	// Password of the native store; required unless Dump is set (the
	// explorer reads no environment variable for it).
	Password string
	// Plaintext marks a store that does not encrypt values: I8's
	// plaintext scan is skipped (permissions are still checked).
	Plaintext bool
	// Env of the command and of Dump (default: the explorer's).
	Env []string
	// WorkDir holds the images and the runs' copies (default: /dev/shm
	// where it exists and TMPDIR is not set, else the system temp
	// directory). It must be on a real file system (a tmpfs is one: a
	// process crash leaves the same files there, and fsync is free).
	WorkDir string
	// Replay builds a violation's replay line (Violation.Replay). Nil
	// leaves it empty: the violation's Mode, Point, Seed, FS and Image are
	// the replay data, which a command-line tool writes in its own terms
	// (scopemig explore --exec does).
	Replay func(Config, Violation) string
	// Workers is the number of crash points explored at once (process
	// runs, power replays and their restarts; default: every core). The
	// report is the same for any number (timings aside).
	Workers int
	// KillRuns crashes every process-mode point by a real run SIGKILLed on
	// entry to it, as a replay (Point) does, instead of copying the
	// recording's tree at each point's entry: the same crash states, one
	// run of the command per point more. For comparisons.
	KillRuns bool
	// FullTrace stops the command at every syscall instead of only at the
	// ones the recorder follows (the seccomp filter): the same trace and
	// the same crash points, many more stops. For comparisons; Explore
	// falls back to it by itself where the filter cannot be installed.
	FullTrace bool
	// Output receives the command's stdout and stderr of the recording
	// run (default: discarded).
	Output io.Writer
}

// substitute replaces "{dir}" in every arg.
func substitute(args []string, dir string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strings.ReplaceAll(a, "{dir}", dir)
	}
	return out
}
