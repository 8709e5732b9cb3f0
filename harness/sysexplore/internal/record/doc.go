// Package record runs a command under ptrace and records every syscall
// that touches the explored directory tree (package trace), following
// threads, child processes, their file-descriptor tables and working
// directories; it can SIGKILL the whole tree on entry to a crash point.
//
// The ptrace loop and the decoder are portable Linux code; what differs
// between architectures is one table per architecture (syscall number to
// name, class and argument positions: systab_*.go) and how registers are
// read (arch_linux_*.go).
package record
