package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/afero"
)

// MkdirAll creates dir and its missing parents with mode perm, durably: it
// then syncs the parent of every directory it created, top-down, so that
// the new directories survive a power failure. When dir exists it writes
// nothing (a Stat per level is all it does). Run as root, each directory
// it creates gets the owner of the existing directory it was created in
// (sudo on a user's missing ~/.config/toolhive leaves it the user's).
//
// Operations: Stat of dir and of each missing ancestor (reads), then
// MkdirAll(dir, perm), then (as root, when the owner differs) Chown of
// each created directory, outermost first, then SyncDir of the parent of
// each created directory, outermost first.
//
// Crash contract: a crash before the syncs complete may lose the new
// directories on power failure; nothing inside them has been promised
// durable yet (callers write into dir only after MkdirAll returns, and
// Write syncs dir itself). Retrying is safe.
func MkdirAll(fsys afero.Fs, dir string, perm os.FileMode) error {
	dir = filepath.Clean(dir)
	var (
		missing []string    // dir first, outermost missing ancestor last
		parent  os.FileInfo // the existing directory above them
	)
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := fsys.Stat(d)
		if err == nil {
			parent = fi
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("mkdir %s: %w", dir, err)
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if err := fsys.MkdirAll(dir, perm); err != nil {
		return fmt.Errorf("mkdir %s: %w", dir, err)
	}
	if err := chownCreated(fsys, missing, parent, ProcessIdentity()); err != nil {
		return fmt.Errorf("mkdir %s: %w", dir, err)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := SyncDir(fsys, filepath.Dir(missing[i])); err != nil {
			return fmt.Errorf("mkdir %s: %w", dir, err)
		}
	}
	return nil
}

// chownCreated gives the created directories (innermost first) the owner
// of parent, the existing directory above the outermost one, when id is
// root.
func chownCreated(fsys afero.Fs, created []string, parent os.FileInfo, id Identity) error {
	if !id.root() || parent == nil {
		return nil
	}
	want := ownerOf(parent)
	if !want.Known {
		return nil
	}
	for i := len(created) - 1; i >= 0; i-- {
		fi, err := fsys.Stat(created[i])
		if err != nil {
			return err
		}
		if ownerOf(fi) == want {
			continue
		}
		if err := fsys.Chown(created[i], want.UID, want.GID); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
	}
	return nil
}
