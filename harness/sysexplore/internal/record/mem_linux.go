//go:build linux && (amd64 || arm64)

package record

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// maxWriteKeep is the number of bytes of one write kept for the replay.
const maxWriteKeep = 64 << 20

// readMem reads n bytes of tid's memory at addr.
func readMem(tid int, addr uintptr, n int) ([]byte, error) {
	if n <= 0 {
		return []byte{}, nil
	}
	buf := make([]byte, n)
	got, err := unix.ProcessVMReadv(tid, []unix.Iovec{{Base: &buf[0], Len: uint64(n)}}, []unix.RemoteIovec{{Base: addr, Len: n}}, 0)
	if err != nil {
		return nil, err
	}
	return buf[:got], nil
}

// readU64 reads one native-endian (little-endian on amd64 and arm64)
// 64-bit word of tid's memory.
func readU64(tid int, addr uintptr) (uint64, error) {
	b, err := readMem(tid, addr, 8)
	if err != nil {
		return 0, err
	}
	if len(b) < 8 {
		return 0, fmt.Errorf("short read at %#x", addr)
	}
	return binary.LittleEndian.Uint64(b), nil
}

// readString reads a NUL-terminated string (at most 4096 bytes), page by
// page so that an unmapped page after it does not fail the read.
func readString(tid int, addr uintptr) (string, error) {
	if addr == 0 {
		return "", nil
	}
	var out []byte
	for len(out) < 4096 {
		chunk := 4096 - int(addr%4096)
		b, err := readMem(tid, addr, chunk)
		if err != nil {
			return string(out), err
		}
		if i := bytes.IndexByte(b, 0); i >= 0 {
			return string(append(out, b[:i]...)), nil
		}
		out = append(out, b...)
		addr += uintptr(len(b))
		if len(b) == 0 {
			break
		}
	}
	return string(out), nil
}

// readIovecs gathers the bytes of an iovec array (only their count, as
// zero bytes, when keep is false).
func readIovecs(tid int, addr uintptr, n int, keep bool) []byte {
	if n <= 0 || n > 1024 {
		return nil
	}
	raw, err := readMem(tid, addr, 16*n)
	if err != nil || len(raw) < 16*n {
		return nil
	}
	var out []byte
	for i := range n {
		base := binary.LittleEndian.Uint64(raw[16*i:])
		l := int(binary.LittleEndian.Uint64(raw[16*i+8:]))
		if !keep {
			out = append(out, make([]byte, l)...)
			continue
		}
		b, _ := readMem(tid, uintptr(base), min(l, maxWriteKeep))
		out = append(out, b...)
	}
	return out
}

// filePos reads the current offset of fd in tid's process.
func filePos(tid, fd int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", tid, fd))
	if err != nil {
		return 0
	}
	rest, ok := bytes.CutPrefix(b, []byte("pos:"))
	if !ok {
		return 0
	}
	rest = bytes.TrimLeft(rest, " \t")
	end := bytes.IndexByte(rest, '\n')
	if end < 0 {
		end = len(rest)
	}
	n, _ := strconv.ParseInt(string(rest[:end]), 10, 64)
	return n
}
