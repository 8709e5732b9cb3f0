//go:build !unix

package main

// machineCases needs symlinks, FIFOs, owners and flock(2).
func machineCases() []hostileCase { return nil }
