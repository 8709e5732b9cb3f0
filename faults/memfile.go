package faults

import (
	"errors"
	"io"
	"os"
	"path"
	"syscall"

	"github.com/spf13/afero"
)

// errWriteAtAppend mirrors os: WriteAt on a file opened with O_APPEND.
var errWriteAtAppend = errors.New("invalid use of WriteAt on file opened with O_APPEND")

// memFile is an open handle on a MemFS inode. Its fields after the first
// four are guarded by fs.mu.
type memFile struct {
	fs                  *MemFS
	n                   *inode
	name                string // as passed to OpenFile
	read, write, append bool

	pos    int64    // guarded by fs.mu
	closed bool     // guarded by fs.mu
	dirEnt []dirent // guarded by fs.mu: Readdir snapshot, taken at the first call
	dirOff int      // guarded by fs.mu: entries of dirEnt already returned
	dirSet bool     // guarded by fs.mu: dirEnt was taken
}

var _ afero.File = (*memFile)(nil)

// Name implements afero.File: the name passed to open.
func (f *memFile) Name() string { return f.name }

// check returns the error for op on a closed handle. Caller holds fs.mu.
func (f *memFile) check(op string) error {
	if f.closed {
		return pathErr(op, f.name, os.ErrClosed)
	}
	return nil
}

// Close implements afero.File. Closing persists nothing.
func (f *memFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("close"); err != nil {
		return err
	}
	f.closed = true
	f.dirEnt = nil
	return nil
}

// Read implements afero.File.
func (f *memFile) Read(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	n, err := f.readAt(p, f.pos, "read")
	f.pos += int64(n)
	return n, err
}

// ReadAt implements afero.File.
func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if off < 0 {
		return 0, pathErr("readat", f.name, syscall.EINVAL)
	}
	n, err := f.readAt(p, off, "read")
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

// readAt reads at off. Caller holds fs.mu.
func (f *memFile) readAt(p []byte, off int64, op string) (int, error) {
	if err := f.check(op); err != nil {
		return 0, err
	}
	switch {
	case !f.read:
		return 0, pathErr(op, f.name, syscall.EBADF)
	case f.n.dir:
		return 0, pathErr(op, f.name, syscall.EISDIR)
	case len(p) == 0:
		return 0, nil
	case off >= int64(len(f.n.data)):
		return 0, io.EOF
	}
	return copy(p, f.n.data[off:]), nil
}

// Seek implements afero.File.
func (f *memFile) Seek(offset int64, whence int) (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("seek"); err != nil {
		return 0, err
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.pos
	case io.SeekEnd:
		offset += int64(len(f.n.data))
	default:
		return 0, pathErr("seek", f.name, syscall.EINVAL)
	}
	if offset < 0 {
		return 0, pathErr("seek", f.name, syscall.EINVAL)
	}
	f.pos = offset
	return offset, nil
}

// Write implements afero.File.
func (f *memFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.writable("write"); err != nil {
		return 0, err
	}
	if f.append {
		f.pos = int64(len(f.n.data))
	}
	f.n.writeAt(p, f.pos, f.fs.now())
	f.pos += int64(len(p))
	return len(p), nil
}

// WriteAt implements afero.File.
func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.writable("write"); err != nil {
		return 0, err
	}
	switch {
	case f.append:
		return 0, pathErr("writeat", f.name, errWriteAtAppend)
	case off < 0:
		return 0, pathErr("writeat", f.name, syscall.EINVAL)
	}
	f.n.writeAt(p, off, f.fs.now())
	return len(p), nil
}

// WriteString implements afero.File.
func (f *memFile) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// writable checks a write. Caller holds fs.mu.
func (f *memFile) writable(op string) error {
	if err := f.check(op); err != nil {
		return err
	}
	if !f.write {
		return pathErr(op, f.name, syscall.EBADF)
	}
	return nil
}

// Truncate implements afero.File.
func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("truncate"); err != nil {
		return err
	}
	if !f.write || size < 0 {
		return pathErr("truncate", f.name, syscall.EINVAL)
	}
	f.n.truncate(size, f.fs.now())
	return nil
}

// Sync implements afero.File: makes the inode's live state durable (for a
// file its data and mode, for a directory its entries and mode). Allowed
// on read-only handles, as fsync(2) is.
func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("sync"); err != nil {
		return err
	}
	f.n.sync()
	return nil
}

// Stat implements afero.File.
func (f *memFile) Stat() (os.FileInfo, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("stat"); err != nil {
		return nil, err
	}
	return f.n.info(path.Base(clean(f.name))), nil
}

// Readdir implements afero.File with os.File.Readdir's semantics, in name
// order. The listing is a snapshot taken at the first call.
func (f *memFile) Readdir(count int) ([]os.FileInfo, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	es, err := f.nextEntries(count)
	if err != nil {
		return nil, err
	}
	out := make([]os.FileInfo, len(es))
	for i, e := range es {
		out[i] = e.node.info(e.name)
	}
	if count > 0 && len(out) == 0 {
		return out, io.EOF
	}
	return out, nil
}

// Readdirnames implements afero.File with os.File.Readdirnames's semantics.
func (f *memFile) Readdirnames(count int) ([]string, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	es, err := f.nextEntries(count)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.name
	}
	if count > 0 && len(out) == 0 {
		return out, io.EOF
	}
	return out, nil
}

// nextEntries returns the next count (all if count <= 0) entries. Caller
// holds fs.mu.
func (f *memFile) nextEntries(count int) ([]dirent, error) {
	if err := f.check("readdir"); err != nil {
		return nil, err
	}
	if !f.n.dir {
		return nil, pathErr("readdir", f.name, syscall.ENOTDIR)
	}
	if !f.dirSet {
		f.dirEnt = append([]dirent(nil), f.n.entries...)
		f.dirSet = true
	}
	rest := f.dirEnt[f.dirOff:]
	if count > 0 && count < len(rest) {
		rest = rest[:count]
	}
	f.dirOff += len(rest)
	return rest, nil
}
