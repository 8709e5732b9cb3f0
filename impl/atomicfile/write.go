package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/afero"
)

// Write atomically and durably replaces the content of path with data and
// sets its permission bits to perm. The parent directory must exist; the
// caller holds the directory's lock (fslock.Acquire).
//
// Filesystem operations, in order (exactly these, nothing else):
//
//  1. OpenFile(tmp, O_WRONLY|O_CREATE|O_TRUNC, perm), tmp = TempName(path)
//  2. Write(data) — one call
//  3. Sync (tmp)
//  4. Close (tmp)
//  5. Chmod(tmp, perm)
//  6. Rename(tmp, path)
//  7. Open(dir), 8. Sync (dir), 9. Close (dir)
//
// Crash contract:
//   - crash before step 6 completes: path holds its old content (or is still
//     absent); tmp may exist with any prefix of data. It is never read as
//     the store; RemoveStale deletes it (Open of a store does).
//   - crash after step 6, before step 8: path holds either the old or the
//     new content, never a mix: the new file's data was synced in step 3,
//     only the directory entry may be lost on power failure.
//   - after step 8: path holds data durably, with mode perm.
//
// After a nil return the new content is durable. After an error before
// step 6 path is unchanged and tmp has been removed (best effort); after an
// error in steps 7–9 the rename happened but may not be durable yet: retry
// the whole Write (it is idempotent) or treat the outcome as unknown.
//
// A directory Sync that the filesystem does not support (an error matching
// errors.ErrUnsupported or EINVAL, as some filesystems return for fsync of
// a directory) is ignored; every other error is returned.
func Write(fsys afero.Fs, path string, data []byte, perm os.FileMode) error {
	tmp := TempName(path)
	if err := writeTemp(fsys, tmp, data, perm); err != nil {
		_ = fsys.Remove(tmp) // best effort; a leftover is removed by RemoveStale
		return fmt.Errorf("atomic write %s: %w", path, err)
	}
	if err := fsys.Rename(tmp, path); err != nil {
		_ = fsys.Remove(tmp)
		return fmt.Errorf("atomic write %s: rename: %w", path, err)
	}
	if err := SyncDir(fsys, filepath.Dir(path)); err != nil {
		return fmt.Errorf("atomic write %s: %w", path, err)
	}
	return nil
}

// writeTemp performs steps 1–5 of Write.
func writeTemp(fsys afero.Fs, tmp string, data []byte, perm os.FileMode) error {
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return fmt.Errorf("create temp: %w", err)
	}
	n, err := f.Write(data)
	if err == nil && n < len(data) {
		err = io.ErrShortWrite
	}
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("write temp: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync temp: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close temp: %w", err)
	}
	if err := fsys.Chmod(tmp, perm); err != nil {
		return fmt.Errorf("chmod temp: %w", err)
	}
	return nil
}

// SyncDir makes the entries of dir durable: Open(dir), Sync, Close. A Sync
// the filesystem does not support for directories (errors.ErrUnsupported
// or EINVAL) is ignored.
func SyncDir(fsys afero.Fs, dir string) error {
	d, err := fsys.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir: %w", err)
	}
	if err := d.Sync(); err != nil && !dirSyncUnsupported(err) {
		_ = d.Close()
		return fmt.Errorf("sync dir: %w", err)
	}
	if err := d.Close(); err != nil {
		return fmt.Errorf("close dir: %w", err)
	}
	return nil
}

func dirSyncUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EINVAL)
}

// RemoveStale deletes the temp file a crashed Write may have left for path.
// It reports whether one was removed. The caller holds the directory's lock
// (otherwise it could delete the temp of a Write in progress).
//
// Operations: Stat(tmp) — a read — then, only if it exists, Remove(tmp).
// Nothing is written when there is no leftover. Crash contract: the remove
// is a single atomic step; a crash before it leaves the leftover for the
// next call, and the target path is never touched.
func RemoveStale(fsys afero.Fs, path string) (bool, error) {
	tmp := TempName(path)
	if _, err := fsys.Stat(tmp); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("stale temp %s: %w", tmp, err)
	}
	if err := fsys.Remove(tmp); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("remove stale temp %s: %w", tmp, err)
	}
	return true, nil
}
