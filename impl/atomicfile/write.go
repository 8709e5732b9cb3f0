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
// sets its permission bits to perm, keeping the file's owner. The parent
// directory must exist; the caller holds the directory's lock
// (fslock.Acquire). It is WriteAs with ProcessIdentity.
func Write(fsys afero.Fs, path string, data []byte, perm os.FileMode) error {
	return WriteAs(fsys, path, data, perm, ProcessIdentity())
}

// WriteAs is Write for a process of identity id (tests pass others).
//
// Checks first, before any write (reads only; each failure wraps
// ErrNotRegular or ErrOwner and leaves everything untouched):
//
//   - Lstat(path): an existing path must be a regular file — a symlink is
//     refused, never followed or replaced; replacing it must keep its uid
//     and gid (see planReplace: root keeps them by chown, anyone else must
//     own the file); a missing path created by root gets its directory's
//     owner.
//
// Filesystem operations, in order (exactly these, nothing else):
//
//  1. OpenFile(tmp, O_WRONLY|O_CREATE|O_EXCL|O_NOFOLLOW, perm), tmp =
//     TempName(path): created exclusively, so a file, symlink, hard link
//     or FIFO planted at tmp is never opened. If tmp exists, it is Lstat'ed:
//     a regular file with one link (a leftover of a crashed Write) is
//     removed (Remove, which unlinks the name and never follows it) and
//     the open retried once; anything else fails with ErrNotRegular.
//  2. Write(data) — one call
//  3. Sync (tmp)
//  4. Close (tmp)
//  5. Chown(tmp, uid, gid) — only when the new file's owner differs from
//     the one to keep (running as root on another user's file)
//  6. Chmod(tmp, perm)
//  7. Rename(tmp, path) — after checking (reads: Lstat of tmp and path)
//     that tmp is still the file written in step 1 and path did not
//     become a non-regular file meanwhile
//  8. Open(dir), 9. Sync (dir), 10. Close (dir)
//
// Crash contract:
//   - crash before step 7 completes: path holds its old content (or is still
//     absent); tmp may exist with any prefix of data. It is never read as
//     the store; RemoveStale deletes it (Open of a store does), and so does
//     the next Write.
//   - crash after step 7, before step 9: path holds either the old or the
//     new content, never a mix: the new file's data was synced in step 3,
//     only the directory entry may be lost on power failure.
//   - after step 9: path holds data durably, with mode perm and the owner
//     it had.
//
// After a nil return the new content is durable. After an error before
// step 7 path is unchanged and tmp has been removed (best effort); after an
// error in steps 8–10 the rename happened but may not be durable yet: retry
// the whole Write (it is idempotent) or treat the outcome as unknown.
//
// A directory Sync that the filesystem does not support (an error matching
// errors.ErrUnsupported or EINVAL, as some filesystems return for fsync of
// a directory) is ignored; every other error is returned.
func WriteAs(fsys afero.Fs, path string, data []byte, perm os.FileMode, id Identity) error {
	return writeAs(fsys, path, data, perm, id, nil)
}

func writeAs(fsys afero.Fs, path string, data []byte, perm os.FileMode, id Identity, guard func() error) error {
	p, err := planReplace(fsys, path, id)
	if err != nil {
		return fmt.Errorf("atomic write %s: %w", path, err)
	}
	tmp := TempName(path)
	written, err := writeTemp(fsys, tmp, data, perm, p.keep)
	if err != nil {
		if !errors.Is(err, ErrNotRegular) { // never remove what is not ours
			_ = fsys.Remove(tmp) // best effort; a leftover is removed by RemoveStale
		}
		return fmt.Errorf("atomic write %s: %w", path, err)
	}
	if err := checkBeforeRename(fsys, tmp, path, written); err != nil {
		return fmt.Errorf("atomic write %s: %w", path, err)
	}
	if guard != nil {
		if err := guard(); err != nil {
			_ = fsys.Remove(tmp)
			return fmt.Errorf("atomic write %s: %w", path, err)
		}
	}
	if err := fsys.Rename(tmp, path); err != nil {
		_ = fsys.Remove(tmp)
		return fmt.Errorf("atomic write %s: rename: %w", path, err)
	}
	if err := SyncDir(fsys, filepath.Dir(path)); err != nil {
		return fmt.Errorf("atomic write %s: %w: %w", path, ErrNotDurable, err)
	}
	return nil
}

// writeTemp performs steps 1–6 of Write and returns the temp file's
// FileInfo as its handle saw it.
func writeTemp(fsys afero.Fs, tmp string, data []byte, perm os.FileMode, keep Owner) (os.FileInfo, error) {
	f, err := createTemp(fsys, tmp, perm)
	if err != nil {
		return nil, err
	}
	n, err := f.Write(data)
	if err == nil && n < len(data) {
		err = io.ErrShortWrite
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write temp: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("sync temp: %w", err)
	}
	fi, statErr := f.Stat()
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close temp: %w", err)
	}
	if statErr != nil {
		return nil, fmt.Errorf("stat temp: %w", statErr)
	}
	if got := ownerOf(fi); keep.Known && got.Known && got != keep {
		if err := fsys.Chown(tmp, keep.UID, keep.GID); err != nil {
			return nil, fmt.Errorf("chown temp to %s: %w", keep, err)
		}
	}
	if err := fsys.Chmod(tmp, perm); err != nil {
		return nil, fmt.Errorf("chmod temp: %w", err)
	}
	return fi, nil
}

// createTemp is step 1 of Write: an exclusive create; a leftover regular
// file with one link is removed and the create retried once.
func createTemp(fsys afero.Fs, tmp string, perm os.FileMode) (afero.File, error) {
	f, err := fsys.OpenFile(tmp, tempFlags, perm)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrExist) && !errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("create temp: %w", err)
	}
	if err := checkLeftover(fsys, tmp); err != nil {
		return nil, err
	}
	if err := fsys.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("remove leftover temp: %w", err)
	}
	f, err = fsys.OpenFile(tmp, tempFlags, perm)
	if err != nil {
		return nil, fmt.Errorf("create temp: %w", err)
	}
	return f, nil
}

// CheckLeftover reports, reading only, whether Write and RemoveStale would
// accept what is at the temp name tmp (TempName of a target): nil when it
// is missing or what a crashed Write leaves (a regular file with a single
// link, which they remove); an error wrapping ErrNotRegular when it is
// anything else (a symlink, a hard link, a FIFO, a directory), which they
// refuse and leave alone.
func CheckLeftover(fsys afero.Fs, tmp string) error { return checkLeftover(fsys, tmp) }

// checkLeftover accepts an existing temp name only if it is what a crashed
// Write leaves: a regular file with a single link. A missing one is fine.
func checkLeftover(fsys afero.Fs, tmp string) error {
	fi, err := lstat(fsys, tmp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("temp %s: %w", tmp, err)
	}
	return leftoverOK(fi, tmp)
}

// leftoverOK accepts fi, the Lstat of the temp name tmp, if it is a
// regular file with one link.
func leftoverOK(fi os.FileInfo, tmp string) error {
	switch {
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%w: temp name %s is a %s that scopemig did not create; remove it if it is not yours", ErrNotRegular, tmp, TypeName(fi.Mode()))
	case links(fi) > 1:
		return fmt.Errorf("%w: temp name %s has %d hard links (scopemig's temp files have one); remove it if it is not yours", ErrNotRegular, tmp, links(fi))
	}
	return nil
}

// checkBeforeRename makes sure the rename moves the file written (tmp was
// not swapped for a link meanwhile) over a regular file or nothing.
func checkBeforeRename(fsys afero.Fs, tmp, path string, written os.FileInfo) error {
	fi, err := lstat(fsys, tmp)
	if err != nil {
		_ = fsys.Remove(tmp) // best effort, as after any failed step
		return fmt.Errorf("temp: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: temp %s was replaced by a %s", ErrNotRegular, tmp, TypeName(fi.Mode()))
	}
	if same, ok := sameInode(fi, written); ok && !same {
		return fmt.Errorf("%w: temp %s was replaced by another file", ErrNotRegular, tmp)
	}
	ti, err := lstat(fsys, path)
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		_ = fsys.Remove(tmp)
		return fmt.Errorf("stat: %w", err)
	case err == nil && !ti.Mode().IsRegular():
		_ = fsys.Remove(tmp)
		return fmt.Errorf("%w: %s became a %s", ErrNotRegular, path, TypeName(ti.Mode()))
	}
	return nil
}

// SyncFile makes the content of the file at path durable, changing
// nothing: Open(path) read-only, Sync, Close. A missing file fails with an
// error wrapping fs.ErrNotExist.
func SyncFile(fsys afero.Fs, path string) error {
	f, err := fsys.Open(path)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
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
// Operations: Lstat(tmp) — a read — then, only if it is a leftover of a
// crashed Write (a regular file with one link), Remove(tmp). Anything else
// at the temp name (a symlink, a FIFO, a directory, a hard link) fails with
// ErrNotRegular and is left alone: scopemig never created it. Nothing is
// written when there is no leftover. Crash contract: the remove is a
// single atomic step; a crash before it leaves the leftover for the next
// call, and the target path is never touched.
func RemoveStale(fsys afero.Fs, path string) (bool, error) {
	tmp := TempName(path)
	fi, err := lstat(fsys, tmp)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("stale temp %s: %w", tmp, err)
	}
	if err := leftoverOK(fi, tmp); err != nil {
		return false, err
	}
	if err := fsys.Remove(tmp); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("remove stale temp %s: %w", tmp, err)
	}
	return true, nil
}

// dirOf is filepath.Dir.
func dirOf(path string) string { return filepath.Dir(path) }
