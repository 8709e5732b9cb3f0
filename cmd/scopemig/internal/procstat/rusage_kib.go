//go:build linux || freebsd || netbsd || openbsd || dragonfly

package procstat

import "syscall"

// maxRSSUnit is the unit of ru_maxrss here: KiB (getrusage(2) on Linux and
// the BSDs).
const maxRSSUnit = 1024

func rusage() (syscall.Rusage, bool) {
	var ru syscall.Rusage
	return ru, syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil
}
