//go:build !(linux || freebsd || netbsd || openbsd || dragonfly || darwin || ios || windows)

package procstat

import "time"

// PeakRSS is not reported on this system.
func PeakRSS() (bytes uint64, ok bool) { return 0, false }

// CPU is not reported on this system.
func CPU() (d time.Duration, ok bool) { return 0, false }

// TreeCPU is not reported on this system.
func TreeCPU() (d time.Duration, ok bool) { return 0, false }
