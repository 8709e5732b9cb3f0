package encfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

var _ secrets.Syncer = (*Store)(nil)

// Sync implements secrets.Syncer: under the Store's mutex and the
// directory lock it fsyncs the store file and then its directory, so that
// the current content and its directory entry are durable. It writes no
// data; a missing directory or file has nothing to make durable.
//
// Crash contract: Sync changes no content; after a nil return the content
// read last is durable (a later power loss cannot bring back an older one);
// after an error nothing is known of durability and a retry is safe.
func (s *Store) Sync(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	release, exists, err := s.lock(ctx, false)
	if err != nil || !exists {
		return err
	}
	defer func() { _ = release() }()
	err = atomicfile.SyncFile(s.fsys, s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("encfile %s: %w", s.path, err)
	}
	if err := atomicfile.SyncDir(s.fsys, s.dir); err != nil {
		return fmt.Errorf("encfile %s: %w", s.path, err)
	}
	return nil
}
