package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/spf13/afero"
)

// errChangedUnderLock is setLocked's internal signal that the config
// changed, or the lock file was replaced, after the locked read: the write
// is abandoned before its rename and the read-modify-write redone.
var errChangedUnderLock = errors.New("config changed while locked")

// inPlaceWatch watches the config file SetMigrated read, for writes into it
// by another process. ToolHive v0.47.0 writes its config in place
// (os.WriteFile: open with O_TRUNC, write), and its lock-file protocol
// (unlock, then remove the lock file) lets one of its processes run
// while scopemig holds the lock it honours (see impl/fslock). Such a
// write lands in the file that was read — the watch keeps that file open,
// so it is seen even after scopemig's rename gave the name to the new
// file — or, when there was no file, creates one at the name.
type inPlaceWatch struct {
	fsys afero.Fs
	path string
	f    afero.File // the file read (nil: there was none)
	read []byte     // what was read
}

// watchInPlace opens the file raw was read from (nothing when raw says
// there was none). Close it with close.
func watchInPlace(fsys afero.Fs, path string, raw rawConfig) (*inPlaceWatch, error) {
	w := &inPlaceWatch{fsys: fsys, path: path, read: raw.data}
	if !raw.exists {
		return w, nil
	}
	f, err := fsys.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	w.f = f
	return w, nil
}

// changed reports whether the file read no longer holds what was read (a
// write in place), or, when there was none, whether one has appeared at
// the name. Call it before the rename; after it, only the first applies.
func (w *inPlaceWatch) changed(beforeRename bool) (bool, error) {
	if w.f == nil {
		if !beforeRename {
			return false, nil
		}
		_, err := lstat(w.fsys, w.path)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return true, err
	}
	now := make([]byte, 0, len(w.read)+1)
	buf := make([]byte, 4096)
	for off := int64(0); len(now) <= maxSize; {
		n, err := w.f.ReadAt(buf, off)
		now = append(now, buf[:n]...)
		off += int64(n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return false, fmt.Errorf("config %s: reread: %w", w.path, err)
		}
	}
	return !bytes.Equal(now, w.read), nil
}

func (w *inPlaceWatch) close() {
	if w.f != nil {
		_ = w.f.Close()
	}
}
