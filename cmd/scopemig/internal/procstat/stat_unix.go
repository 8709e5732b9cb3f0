//go:build linux || freebsd || netbsd || openbsd || dragonfly || darwin || ios

package procstat

import (
	"syscall"
	"time"
)

// PeakRSS returns the process's peak resident set size in bytes.
func PeakRSS() (bytes uint64, ok bool) {
	ru, ok := rusage()
	if !ok || ru.Maxrss < 0 {
		return 0, false
	}
	return uint64(ru.Maxrss) * maxRSSUnit, true
}

// CPU returns the user+system CPU time the process used so far.
func CPU() (d time.Duration, ok bool) {
	ru, ok := rusage()
	if !ok {
		return 0, false
	}
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(ru.Utime) + tv(ru.Stime), true
}

// TreeCPU returns the user+system CPU time of the process and of its
// children that were waited for (getrusage RUSAGE_SELF + RUSAGE_CHILDREN).
func TreeCPU() (d time.Duration, ok bool) {
	self, ok := CPU()
	if !ok {
		return 0, false
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) != nil {
		return 0, false
	}
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return self + tv(ru.Utime) + tv(ru.Stime), true
}
