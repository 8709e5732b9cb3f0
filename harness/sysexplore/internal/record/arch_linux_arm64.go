//go:build linux && arm64

package record

import "golang.org/x/sys/unix"

// archTable is this architecture's syscall table.
func archTable() []sysCall { return arm64Table() }

// clone3Nr is this architecture's clone3.
const clone3Nr = arm64Clone3

// auditArch is the seccomp_data.arch of this architecture's native ABI.
const auditArch = unix.AUDIT_ARCH_AARCH64

// readRegs reads tid's syscall number (x8), arguments (x0-x5) and return
// value (x0 at the exit stop).
func readRegs(tid int) (regs, error) {
	var r unix.PtraceRegs
	if err := unix.PtraceGetRegs(tid, &r); err != nil {
		return regs{}, err
	}
	g := r.Regs
	return regs{nr: g[8], a: [6]uint64{g[0], g[1], g[2], g[3], g[4], g[5]}, ret: int64(g[0]), pc: r.Pc, sp: r.Sp, fp: g[29], lr: g[30]}, nil
}
