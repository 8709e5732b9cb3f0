// Package trace is the record of one traced run of a command: the
// syscalls that touched the explored directory tree, in entry order, with
// the crash points (the file-mutating ones) numbered from 1. The recorder
// (package record) writes it; the explorer replays and prints it. Written
// bytes are kept only in memory, for the power-mode replay, and are never
// printed.
package trace
