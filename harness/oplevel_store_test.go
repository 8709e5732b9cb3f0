package harness_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/scopemig/scopemig/impl/secrets"
)

// osStore is the kind of store an op-level target wraps: it uses the os
// package directly, not an afero.Fs. Its whole content is one JSON file
// {"secrets":{...}} in dir, replaced atomically on every change (see
// replace). It takes no cross-process lock: the harness runs one process
// at a time on an op-level target.
type osStore struct {
	path string

	mu sync.Mutex // serializes the read-modify-write of one provider value
	// lazyDelete is the broken variant: DeleteSecret only remembers the
	// key (in pending) and returns nil; the delete reaches the file with
	// the next change, or never if the process dies first.
	lazyDelete bool
	pending    []string // keys deleted but not written yet; guarded by mu
}

var _ secrets.Provider = (*osStore)(nil)

// osUpdater is osStore with secrets.Updater: each Update is one replace.
type osUpdater struct{ *osStore }

var _ secrets.Updater = osUpdater{}

var errNotUTF8 = errors.New("osstore: value is not valid UTF-8 (JSON cannot hold it)")

const (
	osStoreFile = "secrets.json"
	osTempGlob  = ".secrets.json.tmp-*"
)

// openOSStore opens the store in dir (made 0700 if missing) and removes the
// temp files a crashed replace left behind.
//
// Crash contract: Open changes nothing but stale temp files (never the
// store file); a crash during it leaves some of them, which the next Open
// removes; retry safe.
func openOSStore(dir string) (*osStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("osstore: %w", err)
	}
	stale, err := filepath.Glob(filepath.Join(dir, osTempGlob))
	if err != nil {
		return nil, fmt.Errorf("osstore: %w", err)
	}
	for _, p := range stale {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("osstore: remove stale temp: %w", err)
		}
	}
	return &osStore{path: filepath.Join(dir, osStoreFile)}, nil
}

// load reads the file; a missing file is an empty store. Caller holds mu.
func (s *osStore) load() (map[string]string, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("osstore: read: %w", err)
	}
	var doc struct {
		Secrets map[string]string `json:"secrets"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("osstore: decode: %w", err)
	}
	if doc.Secrets == nil {
		doc.Secrets = map[string]string{}
	}
	for _, k := range s.pending {
		delete(doc.Secrets, k)
	}
	return doc.Secrets, nil
}

// replace writes m as the new content: a temp file in the same directory,
// written, fsynced and closed, then renamed over the store file, then the
// directory fsynced. Caller holds mu.
//
// Crash contract: after success the file holds m, durably. After an error
// the file holds the old content (the temp file is removed when possible).
// After a crash at any step the file holds the old or the new content,
// never a mix, maybe next to a stale temp file that Open removes. Retry
// safe.
func (s *osStore) replace(m map[string]string) error {
	b, err := json.Marshal(struct {
		Secrets map[string]string `json:"secrets"`
	}{m})
	if err != nil {
		return fmt.Errorf("osstore: encode: %w", err)
	}
	dir := filepath.Dir(s.path)
	f, err := os.CreateTemp(dir, osTempGlob)
	if err != nil {
		return fmt.Errorf("osstore: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("osstore: replace: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("osstore: sync dir: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("osstore: sync dir: %w", err)
	}
	s.pending = nil
	return nil
}

// change is one locked read-modify-write: fn edits the content, and the
// file is replaced if it changed (or deletes are pending).
func (s *osStore) change(fn func(m map[string]string) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.load()
	if err != nil {
		return err
	}
	old := maps.Clone(m)
	if err := fn(m); err != nil {
		return err
	}
	if maps.Equal(old, m) && len(s.pending) == 0 {
		return nil
	}
	return s.replace(m)
}

func (s *osStore) GetSecret(_ context.Context, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.load()
	if err != nil {
		return "", err
	}
	v, ok := m[name]
	if !ok {
		return "", fmt.Errorf("osstore: get %q: %w", name, secrets.ErrNotFound)
	}
	return v, nil
}

func (s *osStore) SetSecret(_ context.Context, name, value string) error {
	if !utf8.ValidString(value) {
		return errNotUTF8
	}
	return s.change(func(m map[string]string) error { m[name] = value; return nil })
}

func (s *osStore) DeleteSecret(_ context.Context, name string) error {
	if s.lazyDelete {
		s.mu.Lock()
		defer s.mu.Unlock()
		m, err := s.load()
		if err != nil {
			return err
		}
		if _, ok := m[name]; !ok {
			return fmt.Errorf("osstore: delete %q: %w", name, secrets.ErrNotFound)
		}
		s.pending = append(s.pending, name)
		return nil
	}
	return s.change(func(m map[string]string) error {
		if _, ok := m[name]; !ok {
			return fmt.Errorf("osstore: delete %q: %w", name, secrets.ErrNotFound)
		}
		delete(m, name)
		return nil
	})
}

func (s *osStore) ListSecrets(context.Context) ([]secrets.SecretDescription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.load()
	if err != nil {
		return nil, err
	}
	out := make([]secrets.SecretDescription, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, secrets.SecretDescription{Key: k})
	}
	return out, nil
}

func (s *osStore) DeleteSecrets(_ context.Context, names []string) error {
	return s.change(func(m map[string]string) error {
		for _, n := range names {
			delete(m, n)
		}
		return nil
	})
}

func (s *osStore) Cleanup() error {
	return s.change(func(m map[string]string) error { clear(m); return nil })
}

func (*osStore) Capabilities() secrets.Capabilities {
	return secrets.Capabilities{CanRead: true, CanWrite: true, CanDelete: true, CanList: true, CanCleanup: true}
}

// Update implements secrets.Updater: one locked read-modify-write, one
// atomic replace (none if fn changes nothing).
func (u osUpdater) Update(_ context.Context, fn func(map[string]string) error) error {
	return u.change(func(m map[string]string) error {
		if err := fn(m); err != nil {
			return err
		}
		for _, v := range m {
			if !utf8.ValidString(v) {
				return errNotUTF8
			}
		}
		return nil
	})
}
