package encfile

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

// Snapshot is a read-only, in-memory copy of a store file made by Inspect:
// the file was read once and decrypted once. It implements secrets.Provider
// read-only (every write fails with secrets.ErrReadOnly), so that code
// written for a provider (a plan, a listing) runs on it in O(1) per read,
// without touching the file again. It is immutable and safe for concurrent
// use.
type Snapshot struct {
	path      string
	m         map[string]string // never modified after Inspect
	keys      []string          // m's names, sorted
	leftovers []string          // stale files found next to the store
	// For Rehearse: the key, the file's other top-level members and its
	// size (what a write's checks need). Never modified after Inspect.
	aead     cipher.AEAD
	o        *others
	fileSize int
}

var _ secrets.Provider = (*Snapshot)(nil)

// Inspect reads and decrypts the store at path once, under the directory
// lock (a read lock on an existing directory: flock(2) on a read-only
// descriptor, which creates nothing), and returns its content. It performs
// the same validation as Open (regular file, a symlink only when
// atomicfile.Resolve finds it safe to follow, size,
// authentication, JSON) with the same errors, but it never writes: the temp
// file a crashed writer may have left is reported by Leftovers, not removed,
// so Inspect works on a read-only directory. A missing or empty file is an
// empty store.
//
// Crash contract: read-only; nothing to recover.
func Inspect(ctx context.Context, fsys afero.Fs, path string, password []byte) (*Snapshot, error) {
	if len(password) == 0 {
		return nil, ErrNoPassword
	}
	if fsys == nil || path == "" {
		return nil, errors.New("encfile: Inspect needs a filesystem and a path")
	}
	aead, err := newAEAD(KeyFromPassword(password))
	if err != nil {
		return nil, err
	}
	res, err := atomicfile.Resolve(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("encfile: %w", err)
	}
	path = res.Target
	s := &Store{fsys: fsys, path: path, dir: filepath.Dir(path), lockPath: res.Path + LockFileSuffix, aead: aead}
	size, err := s.validateFile()
	if err != nil {
		return nil, err
	}
	s.rbuf = make([]byte, 0, size+64)
	var snap *Snapshot
	err = s.view(ctx, func(c *contents) error {
		// c is the Store's private decode (no shared cache, a fresh memo): it
		// is not shared, so the Snapshot may keep it.
		snap = &Snapshot{path: path, m: c.m, keys: c.sorted(), aead: aead, o: c.o, fileSize: len(s.rbuf)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	tmp := atomicfile.TempName(path)
	if _, err := lstat(fsys, tmp); err == nil {
		snap.leftovers = append(snap.leftovers, tmp)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("encfile %s: stale temp %s: %w", path, tmp, err)
	}
	return snap, nil
}

// lstat is Lstat where fsys supports it, else Stat.
func lstat(fsys afero.Fs, name string) (fs.FileInfo, error) {
	if ls, ok := fsys.(afero.Lstater); ok {
		fi, _, err := ls.LstatIfPossible(name)
		return fi, err
	}
	return fsys.Stat(name)
}

// Path returns the inspected file's path.
func (s *Snapshot) Path() string { return s.path }

// Leftovers returns the stale files found next to the store (the temp file
// of a crashed write), which Open would remove and Inspect leaves alone.
func (s *Snapshot) Leftovers() []string { return slices.Clone(s.leftovers) }

// Len returns the number of secrets.
func (s *Snapshot) Len() int { return len(s.m) }

// Content returns a copy of the content.
func (s *Snapshot) Content() map[string]string { return maps.Clone(s.m) }

// GetSecret implements secrets.Provider on the snapshot.
func (s *Snapshot) GetSecret(_ context.Context, name string) (string, error) {
	v, ok := s.m[name]
	if !ok {
		return "", fmt.Errorf("encfile snapshot: get %q: %w", name, secrets.ErrNotFound)
	}
	return v, nil
}

// SetSecret fails with secrets.ErrReadOnly.
func (s *Snapshot) SetSecret(_ context.Context, name, _ string) error {
	return fmt.Errorf("encfile snapshot: set %q: %w", name, secrets.ErrReadOnly)
}

// DeleteSecret fails with secrets.ErrReadOnly.
func (s *Snapshot) DeleteSecret(_ context.Context, name string) error {
	return fmt.Errorf("encfile snapshot: delete %q: %w", name, secrets.ErrReadOnly)
}

// DeleteSecrets fails with secrets.ErrReadOnly.
func (s *Snapshot) DeleteSecrets(context.Context, []string) error {
	return fmt.Errorf("encfile snapshot: delete: %w", secrets.ErrReadOnly)
}

// ListSecrets implements secrets.Provider: every key, sorted.
func (s *Snapshot) ListSecrets(context.Context) ([]secrets.SecretDescription, error) {
	out := make([]secrets.SecretDescription, len(s.keys))
	for i, k := range s.keys {
		out[i] = secrets.SecretDescription{Key: k}
	}
	return out, nil
}

// Cleanup fails with secrets.ErrReadOnly.
func (s *Snapshot) Cleanup() error {
	return fmt.Errorf("encfile snapshot: cleanup: %w", secrets.ErrReadOnly)
}

// Capabilities implements secrets.Provider: read and list only.
func (*Snapshot) Capabilities() secrets.Capabilities {
	return secrets.Capabilities{CanRead: true, CanList: true}
}
