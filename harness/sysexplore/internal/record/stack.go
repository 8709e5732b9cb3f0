package record

// Stack is the user stack of a thread at the entry of a crash-point
// syscall, as the tracer read it: return addresses, innermost first, and
// the executable mappings of the process, so that it can be symbolised
// after the run (the binaries are read then, not while the tracee waits).
type Stack struct {
	Exe  string   // the program's executable (/proc/PID/exe)
	PCs  []uint64 // pc at the syscall, then return addresses
	Mods []Module // the executable file mappings of the process
}

// Module is one executable file mapping of a process (/proc/PID/maps).
type Module struct {
	Start, End, Off uint64
	Path            string
}

// ModuleOf returns the mapping holding pc.
func (s Stack) ModuleOf(pc uint64) (Module, bool) {
	for _, m := range s.Mods {
		if pc >= m.Start && pc < m.End {
			return m, true
		}
	}
	return Module{}, false
}

// maxFrames bounds a stack walk.
const maxFrames = 64

// walkFrames follows a frame-pointer chain: at fp, the caller's fp and
// then the return address (amd64 and arm64 frame records alike). pc is
// where the thread is; leafRet, when non-zero, is the return address of
// a frameless innermost function (the syscall stubs of Go's runtime and
// of libc set up no frame: on amd64 it is the word at sp, on arm64 the
// link register). read returns 8 bytes of the tracee's memory. The walk
// stops at a frame pointer that does not grow or cannot be read: a
// binary without frame pointers gives a short stack, never a wrong one
// past the first unreadable frame.
func walkFrames(pc, leafRet, fp uint64, read func(addr uint64) (uint64, bool)) []uint64 {
	pcs := []uint64{pc}
	if leafRet != 0 {
		pcs = append(pcs, leafRet)
	}
	for len(pcs) < maxFrames && fp != 0 && fp%8 == 0 {
		next, ok1 := read(fp)
		ret, ok2 := read(fp + 8)
		if !ok1 || !ok2 || ret == 0 {
			break
		}
		if len(pcs) != 2 || leafRet != ret {
			pcs = append(pcs, ret)
		}
		if next <= fp {
			break
		}
		fp = next
	}
	return pcs
}
