package mutants

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
)

// flaw is the one thing a brokenStore gets wrong when it writes the file.
type flaw int

const (
	inPlace       flaw = iota + 1 // truncate and rewrite the store in place
	noDirSync                     // rename over the store without syncing the directory
	noFileSync                    // rename a temp file whose data was never synced
	strayTemp                     // a new temp name per write, never cleaned up
	plaintextTemp                 // stage the plaintext JSON in a temp file first
	worldReadable                 // leave the store 0644
	plaintextLeft                 // single operations leave a plaintext copy; the next open removes it
)

// plainLeftover is where plaintextLeft leaves its plaintext copy.
const plainLeftover = fixture.DataDir + "/.secrets.plain"

// brokenStore is ToolHive's encrypted file (encfile's format) with one
// flawed write path. Everything else is correct: locked, reread on every
// operation.
type brokenStore struct {
	fsys afero.Fs
	path string
	key  [32]byte
	flaw flaw
	mu   sync.Mutex // serialises the operations of this instance
	n    int        // guarded by mu: writes so far (strayTemp names)
}

var _ secrets.Provider = (*brokenStore)(nil)

func openBroken(fsys afero.Fs, f flaw) (*brokenStore, error) {
	s := &brokenStore{fsys: fsys, path: fixture.EncfilePath, key: encfile.KeyFromPassword([]byte(fixture.TestPassword)), flaw: f}
	if f == plaintextLeft { // cleaned on open: the evidence is gone once anything reopens the store
		if err := fsys.Remove(plainLeftover); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	_, err := s.read()
	return s, err
}

func (s *brokenStore) read() (map[string]string, error) {
	b, err := afero.ReadFile(s.fsys, s.path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return map[string]string{}, nil
	}
	return encfile.Decode(s.key, b)
}

// update is the locked read-modify-write every operation goes through;
// single is true for the single operations (Set, Delete, …), false for
// Update.
func (s *brokenStore) update(ctx context.Context, single bool, fn func(map[string]string) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dir := path.Dir(s.path)
	if err := atomicfile.MkdirAll(s.fsys, dir, 0o700); err != nil { // durable: the flaw is elsewhere
		return err
	}
	release, err := fslock.Acquire(ctx, s.fsys, dir)
	if err != nil {
		return err
	}
	defer func() { _ = release() }()
	m, err := s.read()
	if err != nil {
		return err
	}
	if err := fn(m); err != nil {
		return err
	}
	data, err := encfile.Encode(s.key, m, rand.Reader)
	if err != nil {
		return err
	}
	plain := fmt.Appendf(nil, "%q", m)
	if single && s.flaw == plaintextLeft {
		if err := writeFile(s.fsys, plainLeftover, plain, true); err != nil {
			return err
		}
	}
	return s.write(data, plain)
}

func (s *brokenStore) write(data, plain []byte) error {
	fs := s.fsys
	dir := path.Dir(s.path)
	tmp := path.Join(dir, ".secrets.tmp")
	perm := os.FileMode(0o600)
	switch s.flaw {
	case inPlace:
		return writeFile(fs, s.path, data, true)
	case strayTemp:
		s.n++
		tmp = fmt.Sprintf("%s.%d", tmp, s.n)
	case plaintextTemp:
		if err := writeFile(fs, tmp+".json", plain, true); err != nil {
			return err
		}
		defer func() { _ = fs.Remove(tmp + ".json") }()
	case worldReadable:
		perm = 0o644
	}
	if err := writeFile(fs, tmp, data, s.flaw != noFileSync); err != nil {
		return err
	}
	if err := fs.Chmod(tmp, perm); err != nil {
		return err
	}
	if err := fs.Rename(tmp, s.path); err != nil {
		return err
	}
	if s.flaw == noDirSync {
		return nil
	}
	d, err := fs.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return err
	}
	return d.Close()
}

func writeFile(fs afero.Fs, name string, data []byte, sync bool) error {
	f, err := fs.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			_ = f.Close()
			return err
		}
	}
	return f.Close()
}

func (s *brokenStore) GetSecret(_ context.Context, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.read()
	if err != nil {
		return "", err
	}
	v, ok := m[name]
	if !ok {
		return "", fmt.Errorf("%q: %w", name, secrets.ErrNotFound)
	}
	return v, nil
}

func (s *brokenStore) SetSecret(ctx context.Context, name, value string) error {
	if !utf8.ValidString(value) {
		return fmt.Errorf("value %s: %w", secrets.Fingerprint(value), errors.ErrUnsupported)
	}
	return s.update(ctx, true, func(m map[string]string) error { m[name] = value; return nil })
}

func (s *brokenStore) DeleteSecret(ctx context.Context, name string) error {
	return s.update(ctx, true, func(m map[string]string) error {
		if _, ok := m[name]; !ok {
			return fmt.Errorf("%q: %w", name, secrets.ErrNotFound)
		}
		delete(m, name)
		return nil
	})
}

func (s *brokenStore) ListSecrets(context.Context) ([]secrets.SecretDescription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.read()
	if err != nil {
		return nil, err
	}
	var out []secrets.SecretDescription
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, secrets.SecretDescription{Key: k})
	}
	return out, nil
}

func (s *brokenStore) DeleteSecrets(ctx context.Context, names []string) error {
	return s.update(ctx, true, func(m map[string]string) error {
		for _, n := range names {
			delete(m, n)
		}
		return nil
	})
}

func (s *brokenStore) Cleanup() error {
	return s.update(context.Background(), true, func(m map[string]string) error { clear(m); return nil })
}

func (s *brokenStore) Capabilities() secrets.Capabilities {
	return secrets.Capabilities{CanRead: true, CanWrite: true, CanDelete: true, CanList: true, CanCleanup: true}
}

// Update makes the store an Updater, so the project's Runner migrates it
// in one transaction: the flaw is in the write, not in the migration.
func (s *brokenStore) Update(ctx context.Context, fn func(map[string]string) error) error {
	return s.update(ctx, false, fn)
}
