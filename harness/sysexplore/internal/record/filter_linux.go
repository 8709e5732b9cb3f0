//go:build linux

package record

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// The seccomp filter of a recording: SECCOMP_RET_TRACE (a ptrace stop at
// entry) for the syscalls of the table — the file-mutating ones and the
// fd-table ones the recorder follows — and SECCOMP_RET_ALLOW (no stop at
// all) for every other. fcntl traps only for the commands the recorder
// follows (F_DUPFD, F_DUPFD_CLOEXEC, F_SETFD). A syscall of another ABI
// than the native one (i386's int 0x80 on amd64) is trapped as well, as
// the unfiltered recorder sees it.

// classic BPF opcodes (linux/filter.h).
const (
	bpfLdAbsW = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
	bpfJeqK   = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
	bpfRetK   = unix.BPF_RET | unix.BPF_K
	// offsets in struct seccomp_data
	offNr    = 0
	offArch  = 4
	offArg1  = 16 + 8 // args[1], low 32 bits (little endian)
	fcntlCmd = 2      // fcntl's command is its second argument
)

// filterProgram builds the filter for tab on the architecture auditArch.
func filterProgram(tab []sysCall, arch uint32) []unix.SockFilter {
	ret := func(k uint32) unix.SockFilter { return unix.SockFilter{Code: bpfRetK, K: k} }
	jeq := func(k uint32, jt, jf uint8) unix.SockFilter {
		return unix.SockFilter{Code: bpfJeqK, Jt: jt, Jf: jf, K: k}
	}
	ld := func(off uint32) unix.SockFilter { return unix.SockFilter{Code: bpfLdAbsW, K: off} }
	prog := []unix.SockFilter{
		ld(offArch),
		jeq(arch, 1, 0),
		ret(unix.SECCOMP_RET_TRACE),
		ld(offNr),
	}
	var fcntl *sysCall
	for i, s := range tab {
		if s.Class == cFcntl {
			fcntl = &tab[i]
			continue
		}
		prog = append(prog, jeq(uint32(s.Nr), 0, 1), ret(unix.SECCOMP_RET_TRACE))
	}
	if fcntl != nil && fcntl.Args.Cmd == fcntlCmd {
		prog = append(prog,
			jeq(uint32(fcntl.Nr), 0, 5),
			ld(offArg1),
			jeq(unix.F_DUPFD, 2, 0),
			jeq(unix.F_DUPFD_CLOEXEC, 1, 0),
			jeq(unix.F_SETFD, 0, 1),
			ret(unix.SECCOMP_RET_TRACE),
		)
	}
	return append(prog, ret(unix.SECCOMP_RET_ALLOW))
}

// encodeProgram lays out a struct sock_fprog at addr followed by its
// instructions, as the tracee's memory must hold them (64-bit, little
// endian).
func encodeProgram(prog []unix.SockFilter, addr uint64) []byte {
	b := make([]byte, 16+8*len(prog))
	binary.LittleEndian.PutUint16(b[0:], uint16(len(prog)))
	binary.LittleEndian.PutUint64(b[8:], addr+16)
	for i, f := range prog {
		o := 16 + 8*i
		binary.LittleEndian.PutUint16(b[o:], f.Code)
		b[o+2], b[o+3] = f.Jt, f.Jf
		binary.LittleEndian.PutUint32(b[o+4:], f.K)
	}
	return b
}
