//go:build linux && (amd64 || arm64)

package record

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// procImage is what the stack symbolisation needs of a process: its
// executable and executable mappings, read once per program (the tracer
// forgets it at exec).
type procImage struct {
	exe  string
	mods []Module
}

// readProcImage reads /proc/PID/exe and the executable file mappings of
// /proc/PID/maps.
func readProcImage(pid int) *procImage {
	exe, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/maps")
	if err != nil {
		return &procImage{exe: exe}
	}
	return &procImage{exe: exe, mods: parseMaps(b)}
}

// parseMaps parses /proc/PID/maps lines
// "start-end perms offset dev inode path", keeping the executable
// mappings of files.
func parseMaps(b []byte) []Module {
	var out []Module
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || !strings.Contains(f[1], "x") || !strings.HasPrefix(f[5], "/") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		off, err3 := strconv.ParseUint(f[2], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, Module{Start: start, End: end, Off: off, Path: strings.Join(f[5:], " ")})
	}
	return out
}

// captureStack walks tid's user stack from its registers at a syscall
// entry (see walkFrames). img is the process's image (may be nil).
func captureStack(tid int, img *procImage, pc, leafRet, fp uint64) Stack {
	read := func(addr uint64) (uint64, bool) {
		var buf [8]byte
		n, err := unix.ProcessVMReadv(tid, []unix.Iovec{{Base: &buf[0], Len: 8}}, []unix.RemoteIovec{{Base: uintptr(addr), Len: 8}}, 0)
		if err != nil || n != 8 {
			return 0, false
		}
		return binary.LittleEndian.Uint64(buf[:]), true
	}
	var st Stack
	if img != nil {
		st.Exe, st.Mods = img.exe, img.mods
		if _, ok := st.ModuleOf(leafRet); !ok {
			leafRet = 0 // not a return address: the innermost function has a frame
		}
	}
	st.PCs = walkFrames(pc, leafRet, fp, read)
	return st
}

// stack records tid's user stack at the entry of crash point k: pc and
// frame pointer from its registers, and the return address of a
// frameless leaf (the link register, or the word at sp).
func (t *tracer) stack(tid, k int, r *regs) {
	if t.images == nil {
		t.images = map[int]*procImage{}
	}
	img := t.images[tid]
	if img == nil {
		img = readProcImage(tid)
		t.images[tid] = img
	}
	leaf := r.lr
	if leaf == 0 {
		leaf, _ = readU64(tid, uintptr(r.sp))
	}
	if t.res.Stacks == nil {
		t.res.Stacks = map[int]Stack{}
	}
	t.res.Stacks[k] = captureStack(tid, img, r.pc, leaf, r.fp)
}
