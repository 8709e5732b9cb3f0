package dirstore_test

import (
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/afero"
)

// stopFs is an afero.Fs that stops like a killed process right after the
// first rename onto a file named base once armed: that rename persists,
// every later operation fails with err. It stops a Store's write at a
// chosen step from outside the Store.
type stopFs struct {
	afero.Fs
	base    string
	err     error
	armed   bool // set to start watching renames
	stopped bool
}

func (s *stopFs) check() error {
	if s.stopped {
		return s.err
	}
	return nil
}

func (s *stopFs) Rename(oldname, newname string) error {
	if err := s.check(); err != nil {
		return err
	}
	if err := s.Fs.Rename(oldname, newname); err != nil {
		return err
	}
	if s.armed && filepath.Base(newname) == s.base {
		s.stopped = true
	}
	return nil
}

func (s *stopFs) Create(name string) (afero.File, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Fs.Create(name)
}

func (s *stopFs) Mkdir(name string, perm os.FileMode) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Fs.Mkdir(name, perm)
}

func (s *stopFs) MkdirAll(path string, perm os.FileMode) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Fs.MkdirAll(path, perm)
}

func (s *stopFs) Open(name string) (afero.File, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Fs.Open(name)
}

func (s *stopFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Fs.OpenFile(name, flag, perm)
}

func (s *stopFs) Remove(name string) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Fs.Remove(name)
}

func (s *stopFs) RemoveAll(path string) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Fs.RemoveAll(path)
}

func (s *stopFs) Stat(name string) (os.FileInfo, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Fs.Stat(name)
}

func (s *stopFs) Chmod(name string, mode os.FileMode) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Fs.Chmod(name, mode)
}

func (s *stopFs) Chown(name string, uid, gid int) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Fs.Chown(name, uid, gid)
}

func (s *stopFs) Chtimes(name string, atime, mtime time.Time) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Fs.Chtimes(name, atime, mtime)
}
