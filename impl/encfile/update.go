package encfile

import (
	"context"
	"fmt"
	"maps"
)

// Update implements secrets.Updater: under the Store's mutex and the
// directory lock it rereads the file, calls fn with a private copy, and, if
// fn returns nil and changed the content, writes it in one atomic replace.
// If fn fails, or leaves the content unchanged (maps.Equal), nothing is
// written. A content with an empty or non-UTF-8 name or value is refused
// before any write.
//
// Crash contract: the file holds the content before or after fn, never a
// third state; after a nil return the new content is durable; after an
// error it is either (retrying a fn that is idempotent is safe).
func (s *Store) Update(ctx context.Context, fn func(map[string]string) error) error {
	return s.modify(ctx, changeOf(fn))
}

// changeOf is the modify function of Update (and of Rehearsal.Update): fn
// edits a private copy of m; m takes the result and is to be written when
// fn succeeded and changed it.
func changeOf(fn func(map[string]string) error) func(m map[string]string) (bool, error) {
	return func(m map[string]string) (bool, error) {
		next := maps.Clone(m)
		if err := fn(next); err != nil {
			return false, fmt.Errorf("encfile: update: %w", err)
		}
		if maps.Equal(m, next) {
			return false, nil
		}
		clear(m)
		maps.Copy(m, next)
		return true, nil
	}
}

// Snapshot returns a copy of the current content, reread from the file.
func (s *Store) Snapshot(ctx context.Context) (map[string]string, error) {
	var out map[string]string
	err := s.view(ctx, func(c *contents) error {
		out = maps.Clone(c.m) // view's contents are shared
		return nil
	})
	return out, err
}
