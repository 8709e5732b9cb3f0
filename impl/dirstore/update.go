package dirstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/scopemig/scopemig/impl/secrets"
)

var _ secrets.Updater = (*Store)(nil)

// Update implements secrets.Updater: under the Store's mutex and the
// directory lock it rolls a leftover journal forward, reads every secret,
// calls fn with a private copy and, if fn returns nil and changed the
// content (maps.Equal), applies the difference as one transaction (see
// commit): a single changed key is one atomic file step, several go
// through the encrypted intent journal. If fn fails or changes nothing,
// nothing is written (a missing directory is not created). An empty name
// or a secret above MaxSecretSize is refused before any write.
//
// fn may run twice when the store directory does not exist yet: once on
// the empty store and, if it changed something, again on the content
// found once the directory is created and locked.
//
// Crash contract: readers (this or any later process, after the roll
// forward every locked operation and Open make first) see the content
// before or after fn, never a mix; after a nil return the new content is
// durable; after an error it is either (retrying a fn that is idempotent
// on its own result is safe). Leftover temp files are never listed and
// are removed by the next Open.
func (s *Store) Update(ctx context.Context, fn func(map[string]string) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	create := false
	for {
		release, exists, err := s.lock(ctx, create)
		if err != nil {
			return err
		}
		retry, err := s.updateLocked(exists, fn)
		if err != nil {
			_ = release()
			return err
		}
		if err := release(); err != nil {
			return fmt.Errorf("dirstore %s: unlock: %w", s.dir, err)
		}
		if !retry {
			return nil
		}
		create = true
	}
}

// updateLocked is one attempt of Update under the lock. retry reports that
// fn changed a store whose directory is missing: Update creates it and
// runs fn again under its lock.
func (s *Store) updateLocked(exists bool, fn func(map[string]string) error) (retry bool, err error) {
	cur, bases, err := s.readAll(exists)
	if err != nil {
		return false, fmt.Errorf("dirstore: update: %w", err)
	}
	next := maps.Clone(cur)
	if err := fn(next); err != nil {
		return false, fmt.Errorf("dirstore: update: %w", err)
	}
	if maps.Equal(cur, next) {
		return false, nil
	}
	if !exists {
		return true, nil
	}
	changes, err := s.diff(cur, bases, next)
	if err != nil {
		return false, fmt.Errorf("dirstore: update: %w", err)
	}
	return false, s.commit(changes)
}

// readAll reads every secret: name to value and name to file base name.
// The caller holds the lock and rolled the journal forward.
func (s *Store) readAll(exists bool) (m map[string]string, bases map[string]string, err error) {
	m, bases = map[string]string{}, map[string]string{}
	if !exists {
		return m, bases, nil
	}
	files, err := s.secretFiles()
	if err != nil {
		return nil, nil, err
	}
	for _, b := range files {
		name, value, err := s.readFile(b)
		if errors.Is(err, secrets.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		m[name], bases[name] = value, b
	}
	return m, bases, nil
}

// diff returns the file changes turning cur into next, sorted by secret
// name (a deterministic order of operations), every set already sealed.
func (s *Store) diff(cur, bases, next map[string]string) ([]change, error) {
	names := slices.Sorted(maps.Keys(next))
	for n := range cur {
		if _, ok := next[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var out []change
	for _, n := range names {
		v, keep := next[n]
		old, had := cur[n]
		switch {
		case !keep:
			out = append(out, change{base: bases[n]})
		case had && old == v:
		default:
			if err := validName(n); err != nil {
				return nil, err
			}
			base := s.codec.fileName(n)
			data, err := s.codec.seal(base, n, v, s.random)
			if err != nil {
				return nil, fmt.Errorf("set %q: %w", n, err)
			}
			out = append(out, change{base: base, data: data})
		}
	}
	return out, nil
}
