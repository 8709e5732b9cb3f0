//go:build darwin || ios

package procstat

import "syscall"

// maxRSSUnit is the unit of ru_maxrss here: bytes (getrusage(2) on darwin).
const maxRSSUnit = 1

func rusage() (syscall.Rusage, bool) {
	var ru syscall.Rusage
	return ru, syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil
}
