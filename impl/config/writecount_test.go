package config_test

import (
	"os"
	"sync/atomic"

	"github.com/spf13/afero"
)

// writeCounter counts the mutating operations made through it.
type writeCounter struct {
	afero.Fs
	n atomic.Int64
}

func (w *writeCounter) Create(name string) (afero.File, error) {
	w.n.Add(1)
	return w.Fs.Create(name)
}

func (w *writeCounter) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND) != 0 {
		w.n.Add(1)
	}
	return w.Fs.OpenFile(name, flag, perm)
}

func (w *writeCounter) Mkdir(name string, perm os.FileMode) error {
	w.n.Add(1)
	return w.Fs.Mkdir(name, perm)
}

func (w *writeCounter) MkdirAll(name string, perm os.FileMode) error {
	w.n.Add(1)
	return w.Fs.MkdirAll(name, perm)
}

func (w *writeCounter) Remove(name string) error {
	w.n.Add(1)
	return w.Fs.Remove(name)
}

func (w *writeCounter) RemoveAll(name string) error {
	w.n.Add(1)
	return w.Fs.RemoveAll(name)
}

func (w *writeCounter) Rename(o, n string) error {
	w.n.Add(1)
	return w.Fs.Rename(o, n)
}

func (w *writeCounter) Chmod(name string, mode os.FileMode) error {
	w.n.Add(1)
	return w.Fs.Chmod(name, mode)
}

// LstatIfPossible keeps symlink detection of the wrapped Fs.
func (w *writeCounter) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	if ls, ok := w.Fs.(afero.Lstater); ok {
		return ls.LstatIfPossible(name)
	}
	fi, err := w.Stat(name)
	return fi, false, err
}
