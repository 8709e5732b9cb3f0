// Package atomicfile replaces a file's content atomically and durably on an
// afero.Fs: write a temp file in the same directory, fsync it, close it,
// chmod it, rename it over the target, fsync the directory.
//
// The temp name is deterministic (TempName), so a crash leaves at most one
// known leftover per target, which RemoveStale deletes. Callers serialise
// writers of one directory (fslock.Acquire) — two concurrent writers of one
// target would share the temp file.
//
// On a real machine the files it replaces are protected against
// what other users may plant: the temp file is created exclusively and
// never through a link (O_CREAT|O_EXCL|O_NOFOLLOW); anything at the temp
// name other than a crashed Write's leftover (a symlink, a hard link, a
// FIFO) and a target that is not a regular file fail with ErrNotRegular
// and are left alone; a replaced file keeps its uid and gid (chown of the
// temp file before the rename when running as root; ErrOwner, before any
// write, for anyone else who does not own it). Preflight checks all of
// that, plus a writable directory, without writing, so that a caller can
// refuse before an earlier write elsewhere.
//
// Write never follows a link at the target. A caller whose path may be a
// user's symlink (a dotfile manager's layout) resolves it first with
// Resolve, which follows a bounded chain of links only when it is safe to
// replace the file at its end (the user's own links and file, no directory
// on the way writable by others, a writable target in a writable
// directory) and refuses otherwise with an *UnsafeLinkError, reading only;
// the caller then writes the target in its own directory, and the link
// stays a link.
//
// The sequence of filesystem operations is minimal and fixed, because the
// crash-sweep harness enumerates crash points by counting them (the checks
// are reads, which it does not count); see Write.
package atomicfile
