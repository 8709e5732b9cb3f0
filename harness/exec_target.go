package harness

import (
	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore"
	"github.com/scopemig/scopemig/model"
)

// ExecTarget makes a Target a real command — any program, any language —
// explored at the syscall level (package sysexplore, Linux on amd64 or arm64): it is
// run under ptrace on a copy of a store directory, killed at every
// file-mutating syscall, power-cut from its trace, restarted, and every
// image is checked against the model (docs/syscall-explore.md). Open and
// Migrate of the Target are not used.
type ExecTarget struct {
	// Argv is the migration command; "{dir}" in an argument is the store
	// directory of the run.
	Argv []string
	// From is a fixed starting directory. When empty, Verify generates
	// Config.Stores stores with the model's generator, writes each with
	// Write, and shrinks a failing one key by key.
	From string
	// Write writes state s as the store in the empty directory dir (the
	// seed: files the command reads). Required when From is empty.
	Write func(dir string, s model.State) error
	// Dump, Layout, Password and Plaintext say how to read a store (see
	// sysexplore.Config): nil Dump reads ToolHive's encrypted file and
	// config natively.
	Dump      []string
	Layout    sysexplore.Layout
	Password  string
	Plaintext bool
	// Env of the command (nil: the test's environment).
	Env []string
	// Modes to explore (default: sysexplore.Modes(), the three that apply
	// to a real process; faults.Torn is refused with ErrBadConfig).
	Modes []faults.Mode
}
