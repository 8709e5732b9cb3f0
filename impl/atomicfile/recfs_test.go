package atomicfile_test

import (
	"os"
	"syscall"

	"github.com/spf13/afero"
)

// recFs records the filesystem operations made through it and can fail
// the failAt-th one (1-based) with EIO, and dir syncs with dirSyncErr.
type recFs struct {
	afero.Fs
	ops        []string
	failAt     int
	dirSyncErr error
}

func (r *recFs) op(name string) error {
	r.ops = append(r.ops, name)
	if len(r.ops) == r.failAt {
		return syscall.EIO
	}
	return nil
}

func (r *recFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if err := r.op("openfile"); err != nil {
		return nil, err
	}
	f, err := r.Fs.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &recFile{File: f, fs: r}, nil
}

func (r *recFs) Open(name string) (afero.File, error) {
	if err := r.op("open"); err != nil {
		return nil, err
	}
	f, err := r.Fs.Open(name)
	if err != nil {
		return nil, err
	}
	return &recFile{File: f, fs: r}, nil
}

func (r *recFs) Stat(name string) (os.FileInfo, error) {
	if err := r.op("stat"); err != nil {
		return nil, err
	}
	return r.Fs.Stat(name)
}

func (r *recFs) Chmod(name string, mode os.FileMode) error {
	if err := r.op("chmod"); err != nil {
		return err
	}
	return r.Fs.Chmod(name, mode)
}

func (r *recFs) Rename(o, n string) error {
	if err := r.op("rename"); err != nil {
		return err
	}
	return r.Fs.Rename(o, n)
}

func (r *recFs) Remove(name string) error {
	if err := r.op("remove"); err != nil {
		return err
	}
	return r.Fs.Remove(name)
}

type recFile struct {
	afero.File
	fs *recFs
}

func (f *recFile) Write(p []byte) (int, error) {
	if err := f.fs.op("write"); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

func (f *recFile) Sync() error {
	if err := f.fs.op("sync"); err != nil {
		return err
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() && f.fs.dirSyncErr != nil {
		return f.fs.dirSyncErr
	}
	return f.File.Sync()
}

func (f *recFile) Close() error {
	if err := f.fs.op("close"); err != nil {
		_ = f.File.Close()
		return err
	}
	return f.File.Close()
}

func (r *recFs) MkdirAll(name string, perm os.FileMode) error {
	if err := r.op("mkdirall"); err != nil {
		return err
	}
	return r.Fs.MkdirAll(name, perm)
}
