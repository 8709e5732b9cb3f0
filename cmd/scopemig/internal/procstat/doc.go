// Package procstat reads this process's own resource use for `scopemig
// bench`: peak resident set size and CPU time. Each operating system
// reports them differently, so the readers live in build-tagged files:
//
//   - Linux and the BSDs: getrusage(2), ru_maxrss in KiB;
//   - darwin and ios: getrusage(2), ru_maxrss in bytes;
//   - Windows: GetProcessTimes for the CPU time; no peak RSS;
//   - anything else: neither.
//
// A figure the system does not report is returned with ok == false, never
// as a made-up zero.
package procstat
