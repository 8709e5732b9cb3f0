package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/afero"
)

// ErrNotWritable reports, from Preflight, a directory this process cannot
// create files in (permissions, a read-only mount).
var ErrNotWritable = errors.New("directory not writable")

// Preflight checks, writing nothing, that Write(fsys, path, …) by this
// process is expected to succeed, so that a caller can fail before an
// earlier, unrelated write (the store) rather than after it (the flag):
//
//   - path's directory exists and is a directory, or is missing and its
//     nearest existing ancestor is a directory (Write's caller creates it);
//   - path is absent or a regular file whose owner Write can keep
//     (ErrNotRegular, ErrOwner: the checks Write itself makes first);
//   - the temp name is free, or holds what a crashed Write leaves (a
//     regular file with one link), which Write replaces (ErrNotRegular);
//   - on a real filesystem, that directory (or ancestor) is writable and
//     searchable by this process's effective ids (access(2) with
//     AT_EACCESS: permission bits, ACLs, read-only mounts), else
//     ErrNotWritable.
//
// What it cannot foresee (a full disk, an I/O error, a concurrent change)
// Write still reports. Operations: Stat and Lstat only.
func Preflight(fsys afero.Fs, path string) error {
	return PreflightAs(fsys, path, ProcessIdentity())
}

// PreflightAs is Preflight for a process of identity id.
func PreflightAs(fsys afero.Fs, path string, id Identity) error {
	dir, err := existingDir(fsys, filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("preflight %s: %w", path, err)
	}
	if dir == filepath.Dir(path) {
		if _, err := planReplace(fsys, path, id); err != nil {
			return fmt.Errorf("preflight %s: %w", path, err)
		}
		if err := checkLeftover(fsys, TempName(path)); err != nil {
			return fmt.Errorf("preflight %s: %w", path, err)
		}
	}
	if err := writableDir(fsys, dir); err != nil {
		return fmt.Errorf("preflight %s: %w", path, err)
	}
	return nil
}

// PreflightDir checks, writing nothing, that this process may create a
// file in dir (or in its nearest existing ancestor, when dir is missing):
// the check Preflight makes of a target's directory, for a file created
// elsewhere than next to its target (a lock file next to a symlink).
func PreflightDir(fsys afero.Fs, dir string) error {
	d, err := existingDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("preflight %s: %w", dir, err)
	}
	if err := writableDir(fsys, d); err != nil {
		return fmt.Errorf("preflight %s: %w", dir, err)
	}
	return nil
}

// existingDir returns dir, or its nearest existing ancestor when dir is
// missing; the one found must be a directory.
func existingDir(fsys afero.Fs, dir string) (string, error) {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := fsys.Stat(d)
		switch {
		case err == nil && fi.IsDir():
			return d, nil
		case err == nil:
			return "", fmt.Errorf("%s is not a directory", d)
		case !errors.Is(err, fs.ErrNotExist):
			return "", err
		case filepath.Dir(d) == d:
			return "", err
		}
	}
}

// writableDir checks, on a real filesystem only, that this process may
// create and remove entries in dir.
func writableDir(fsys afero.Fs, dir string) error {
	rp, ok := realPath(fsys, dir)
	if !ok {
		return nil // an in-memory Fs has no permissions to check
	}
	if err := accessWrite(rp); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrNotWritable, dir, err)
	}
	return nil
}

// realPath returns the OS path of name when fsys is the OS filesystem (or
// a BasePathFs over real files).
func realPath(fsys afero.Fs, name string) (string, bool) {
	switch f := fsys.(type) {
	case *afero.OsFs:
		return name, true
	case *afero.BasePathFs:
		p, err := f.RealPath(name)
		if err != nil {
			return "", false
		}
		h, err := f.Open(name)
		if err != nil {
			return "", false
		}
		inner := h
		if bp, ok := h.(*afero.BasePathFile); ok {
			inner = bp.File
		}
		_, isOS := inner.(*os.File)
		if h.Close() != nil {
			return "", false
		}
		return p, isOS
	default:
		return "", false
	}
}
