//go:build windows

package procstat

import (
	"time"

	"golang.org/x/sys/windows"
)

// PeakRSS is not reported on Windows (it would need psapi's
// GetProcessMemoryInfo, which golang.org/x/sys/windows does not wrap).
func PeakRSS() (bytes uint64, ok bool) { return 0, false }

// CPU returns the user+system CPU time the process used so far
// (GetProcessTimes; FILETIME counts 100 ns ticks).
func CPU() (d time.Duration, ok bool) {
	var creation, exit, kernel, user windows.Filetime
	if windows.GetProcessTimes(windows.CurrentProcess(), &creation, &exit, &kernel, &user) != nil {
		return 0, false
	}
	ticks := func(f windows.Filetime) time.Duration {
		return time.Duration(uint64(f.HighDateTime)<<32|uint64(f.LowDateTime)) * 100
	}
	return ticks(kernel) + ticks(user), true
}

// TreeCPU (the process and its children) is not reported on Windows.
func TreeCPU() (d time.Duration, ok bool) { return 0, false }
