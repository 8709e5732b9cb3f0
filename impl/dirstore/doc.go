// Package dirstore is the second secrets provider: one encrypted file per
// secret in one directory, on an afero.Fs.
//
// # Layout
//
// The store is a directory (mode 0700, created on the first write). Each
// secret lives in its own file (mode 0600) whose name is derived from the
// secret's name, never equal to it:
//
//	<dir>/<hex(HMAC-SHA256(nameKey, name))>.sec
//
// 64 lowercase hex digits and a suffix: no secret name (`../x`, `/abs`,
// NUL, separators, 10 kB names, names that differ only in case) can escape
// the directory, collide on a case-insensitive filesystem or exceed a file
// name limit. The real name is stored encrypted inside the file.
//
// # File format
//
//	"SMD1" | nonce(12) | AES-256-GCM(plain, aad = "SMD1" | file base name) | tag(16)
//	plain = uvarint(len(name)) | name | value
//
// The key is SHA-256 of the password (as ToolHive's encrypted file);
// nameKey = HMAC-SHA256(key, "scopemig dirstore file names"). Binding the
// file name as additional data makes a file copied or renamed under another
// name fail to decrypt. Names and values are raw bytes: any string
// round-trips, invalid UTF-8 included; the name must be non-empty.
//
// # Durability and atomicity
//
// SetSecret is one atomicfile.Write (temp file, fsync, chmod, rename, fsync
// of the directory). DeleteSecret is remove + fsync of the directory.
// Operations on several keys (DeleteSecrets, Cleanup) first write a
// journal (pending.del, the file names to remove, by atomicfile.Write),
// then remove the files, sync the directory and remove the journal: every
// operation that takes the store lock rolls a leftover journal forward
// first, so a crash leaves all or none of the batch deleted. Temp files
// (atomicfile.IsTemp) and foreign files are never listed; Open removes
// stale temps of this store under the lock.
//
// The store does not implement secrets.Updater: a multi-key update cannot
// be one atomic replace, so migrations use the per-key path.
//
// Every operation takes fslock.Acquire on the directory (a missing
// directory is an empty store and is not locked for reads).
package dirstore
