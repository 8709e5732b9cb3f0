// Package atomicfile replaces a file's content atomically and durably on an
// afero.Fs: write a temp file in the same directory, fsync it, close it,
// chmod it, rename it over the target, fsync the directory.
//
// The temp name is deterministic (TempName), so a crash leaves at most one
// known leftover per target, which RemoveStale deletes. Callers serialise
// writers of one directory (fslock.Acquire) — two concurrent writers of one
// target would share the temp file.
//
// The sequence of filesystem operations is minimal and fixed, because the
// crash-sweep harness enumerates crash points by counting them; see Write.
package atomicfile
