// Package sysexplore crashes real, unmodified processes (any language) at
// every file-mutating syscall and checks the disk they leave against the
// reference model (package model). See docs/syscall-explore.md.
package sysexplore
