// Package encfile is ToolHive v0.47.0's encrypted secrets file, byte for
// byte, as a crash-safe, multi-process secrets.Provider on an afero.Fs.
//
// Format (ToolHive's pkg/secrets/aes and EncryptedManager): the file is
// nonce(12) | AES-256-GCM ciphertext | tag(16) of the JSON document
// {"secrets":{"<name>":"<value>",...}} (encoding/json, sorted keys), with
// key = SHA-256(password) and no additional data. A zero-length file is an
// empty store, as ToolHive itself creates one.
//
// Every operation takes the Store's mutex and the directory lock
// (fslock.Acquire), rereads and decrypts the file (another process may
// have written it), and every change is exactly one atomicfile.Write of
// the re-encrypted content with mode 0600: old or new content, never a
// mix, durable when the call returns nil.
package encfile
