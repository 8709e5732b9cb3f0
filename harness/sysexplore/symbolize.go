package sysexplore

import (
	"cmp"
	"debug/dwarf"
	"debug/elf"
	"debug/gosym"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/scopemig/scopemig/harness/sysexplore/internal/record"
)

// maxStackShown bounds the frames a violation lists.
const maxStackShown = 16

// symbolizer turns raw stacks into program lines. Binaries are parsed
// once per exploration (a process-mode exploration symbolises one stack
// per violation, all from the same few binaries).
type symbolizer struct {
	mu   sync.Mutex
	bins map[string]*binInfo // path -> parsed binary (nil: unreadable); guarded by mu
}

// binInfo is what symbolisation needs of one ELF file.
type binInfo struct {
	loads []elf.ProgHeader // PT_LOAD segments (file offset -> address)
	goTab *gosym.Table     // Go: the pclntab (nil for other binaries)
	lines []lineEntry      // C: DWARF line table rows, by address
	syms  []elf.Symbol     // function symbols (.symtab, else .dynsym), by address
}

// lineEntry is one row of a DWARF line table.
type lineEntry struct {
	addr uint64
	file string
	line int
	end  bool // end of a sequence: no line from here
}

// frame is one symbolised pc.
type frame struct {
	fn, file string
	line     int
	inExe    bool
	goFrame  bool
	lib      string // the module's file name
}

func (f frame) String() string {
	if f.file == "" {
		return f.fn
	}
	return fmt.Sprintf("%s:%d %s", f.file, f.line, f.fn)
}

// load parses the binary at p (cached).
func (s *symbolizer) load(p string) *binInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.bins[p]; ok {
		return b
	}
	if s.bins == nil {
		s.bins = map[string]*binInfo{}
	}
	b, err := parseBinary(p)
	if err != nil {
		b = nil
	}
	s.bins[p] = b
	return b
}

func parseBinary(p string) (*binInfo, error) {
	f, err := elf.Open(p)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	b := &binInfo{}
	for _, ph := range f.Progs {
		if ph.Type == elf.PT_LOAD {
			b.loads = append(b.loads, ph.ProgHeader)
		}
	}
	if pcln, text := f.Section(".gopclntab"), f.Section(".text"); pcln != nil && text != nil {
		data, err := pcln.Data()
		if err != nil {
			return nil, err
		}
		if b.goTab, err = gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr)); err != nil {
			return nil, err
		}
		return b, nil
	}
	syms, err := f.Symbols()
	if err != nil || len(syms) == 0 {
		syms, _ = f.DynamicSymbols()
	}
	for _, sy := range syms {
		if elf.ST_TYPE(sy.Info) == elf.STT_FUNC && sy.Value != 0 {
			b.syms = append(b.syms, sy)
		}
	}
	// Of aliases at one address, the plain name (write, not __libc_write).
	slices.SortStableFunc(b.syms, func(x, y elf.Symbol) int {
		return cmp.Or(cmp.Compare(x.Value, y.Value), cmp.Compare(strings.Count(x.Name, "_"), strings.Count(y.Name, "_")))
	})
	if d, err := f.DWARF(); err == nil {
		b.lines = dwarfLines(d)
	}
	return b, nil
}

// dwarfLines reads every line table row of d, sorted by address.
func dwarfLines(d *dwarf.Data) []lineEntry {
	var out []lineEntry
	r := d.Reader()
	for {
		cu, err := r.Next()
		if err != nil || cu == nil {
			break
		}
		if cu.Tag != dwarf.TagCompileUnit {
			r.SkipChildren()
			continue
		}
		lr, err := d.LineReader(cu)
		if err == nil && lr != nil {
			var le dwarf.LineEntry
			for {
				if err := lr.Next(&le); err != nil {
					if !errors.Is(err, io.EOF) {
						out = out[:0:0]
					}
					break
				}
				e := lineEntry{addr: le.Address, line: le.Line, end: le.EndSequence}
				if le.File != nil {
					e.file = le.File.Name
				}
				out = append(out, e)
			}
		}
		r.SkipChildren()
	}
	slices.SortStableFunc(out, func(x, y lineEntry) int { return cmp.Compare(x.addr, y.addr) })
	return out
}

// addr maps a runtime pc in mapping m to the binary's own address.
func (b *binInfo) addr(m record.Module, pc uint64) (uint64, bool) {
	off := pc - m.Start + m.Off
	for _, ph := range b.loads {
		if off >= ph.Off && off < ph.Off+ph.Filesz {
			return off - ph.Off + ph.Vaddr, true
		}
	}
	return 0, false
}

// lookup symbolises an address of the binary.
func (b *binInfo) lookup(a uint64) (fn, file string, line int, goFrame bool) {
	if b.goTab != nil {
		file, line, f := b.goTab.PCToLine(a)
		if f == nil {
			return "", "", 0, true
		}
		return f.Name, file, line, true
	}
	if i, ok := slices.BinarySearchFunc(b.syms, a, func(s elf.Symbol, a uint64) int { return cmp.Compare(s.Value, a) }); ok {
		fn = b.syms[i].Name
	} else if i > 0 {
		j := i - 1
		for j > 0 && b.syms[j-1].Value == b.syms[j].Value {
			j-- // the first of the aliases: the plain name
		}
		if b.syms[j].Size == 0 || a < b.syms[j].Value+b.syms[j].Size {
			fn = b.syms[j].Name
		}
	}
	i, ok := slices.BinarySearchFunc(b.lines, a, func(e lineEntry, a uint64) int { return cmp.Compare(e.addr, a) })
	if !ok {
		i--
	}
	for i >= 0 && i+1 < len(b.lines) && b.lines[i+1].addr == b.lines[i].addr && b.lines[i].end {
		i++ // a sequence that starts where another ends
	}
	if i >= 0 && i < len(b.lines) && !b.lines[i].end && b.lines[i].line > 0 {
		file, line = b.lines[i].file, b.lines[i].line
	}
	return fn, file, line, false
}

// frames symbolises a raw stack, innermost first; pcs outside every
// mapping or binary are dropped.
func (s *symbolizer) frames(st record.Stack) []frame {
	var out []frame
	for i, pc := range st.PCs {
		m, ok := st.ModuleOf(pc)
		if !ok {
			continue
		}
		b := s.load(m.Path)
		if b == nil {
			out = append(out, frame{fn: "?", lib: path.Base(m.Path), inExe: m.Path == st.Exe})
			continue
		}
		if i > 0 {
			pc-- // a return address: the call is the instruction before it
		}
		a, ok := b.addr(m, pc)
		if !ok {
			continue
		}
		fn, file, line, goFrame := b.lookup(a)
		if fn == "" {
			fn = "?"
		}
		out = append(out, frame{fn: fn, file: file, line: line, inExe: m.Path == st.Exe, goFrame: goFrame, lib: path.Base(m.Path)})
	}
	return out
}

// source names the program line that issued the syscall: the first
// frame in the program's own code, as "file.go:212 os.WriteFile" (its
// file and line, and the function it called there); and the stack, for
// the JSON report. Both are empty when the binary has no symbols or line
// table, or when the syscall did not come from the program's own code
// (an interpreter: the line of the interpreted program is not on the
// machine stack).
func (s *symbolizer) source(st record.Stack) (string, []string) {
	fs := s.frames(st)
	if len(fs) == 0 {
		return "", nil
	}
	var stack []string
	for _, f := range fs[:min(len(fs), maxStackShown)] {
		stack = append(stack, f.String())
	}
	stdSrc := goStdSrc(fs)
	for i, f := range fs {
		if !userFrame(fs[:i], f) {
			continue
		}
		if f.goFrame && stdFile(stdSrc, f.file) {
			// A standard library call inlined into the program's function:
			// the line is the library's, so the function's caller names
			// the program's line.
			continue
		}
		callee := f.fn
		if i > 0 {
			callee = fs[i-1].fn
		}
		return fmt.Sprintf("%s:%d %s", path.Base(f.file), f.line, shortFunc(callee)), stack
	}
	return "", stack
}

// userFrame reports whether f, called through inner, is the program's
// own code: a Go function outside the standard library and
// golang.org/x/sys, or a C function of the executable with a line table
// reached through libc only (never an interpreter's C code: its frames
// are in its own shared library, or above frames of the executable).
func userFrame(inner []frame, f frame) bool {
	if !f.inExe || f.file == "" || f.line == 0 {
		return false
	}
	if f.goFrame {
		return userGoPackage((&gosym.Sym{Name: f.fn}).PackageName())
	}
	for _, g := range inner {
		if g.inExe || !systemLib(g.lib) {
			return false
		}
	}
	return true
}

// userGoPackage: main, or an import path whose first element has a dot,
// except golang.org/x/sys (syscall wrappers).
func userGoPackage(pkg string) bool {
	if pkg == "main" {
		return true
	}
	first, _, _ := strings.Cut(pkg, "/")
	return strings.Contains(first, ".") && !strings.HasPrefix(pkg, "golang.org/x/sys/")
}

// systemLib: the C library and the dynamic loader.
func systemLib(name string) bool {
	for _, p := range []string{"libc.so", "libc-", "libpthread", "ld-linux", "ld-musl", "libc.musl"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// shortFunc drops a Go function's import path but its last element:
// os.WriteFile, poll.(*FD).Write, toolhive/pkg/config.save -> config.save.
func shortFunc(fn string) string {
	if i := strings.LastIndex(fn, "/"); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

// goStdSrc finds the $GOROOT/src/ prefix of the standard library's files
// in a Go stack (from a frame of a standard package: its file is
// $GOROOT/src/<package path>/<file>); "" when none is there or the binary
// was built with -trimpath (files named by package path).
func goStdSrc(fs []frame) string {
	for _, f := range fs {
		if !f.goFrame || userGoPackage((&gosym.Sym{Name: f.fn}).PackageName()) {
			continue
		}
		dir := (&gosym.Sym{Name: f.fn}).PackageName()
		if i := strings.LastIndex(f.file, "/src/"+dir+"/"); i >= 0 {
			return f.file[:i+len("/src/")]
		}
	}
	return ""
}

// stdFile reports whether a Go frame's file is the standard library's:
// under $GOROOT/src/, or (-trimpath) named by a path whose first element
// has no dot.
func stdFile(stdSrc, file string) bool {
	if stdSrc != "" {
		return strings.HasPrefix(file, stdSrc)
	}
	if strings.HasPrefix(file, "/") {
		return false
	}
	first, _, _ := strings.Cut(file, "/")
	return !strings.Contains(first, ".") && strings.Contains(file, "/")
}
