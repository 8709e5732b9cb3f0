package dirstore

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

var _ secrets.Syncer = (*Store)(nil)

// Sync implements secrets.Syncer: under the locks, after rolling any
// leftover journal forward, it fsyncs the store directory and its parent,
// so that every secret file in place (each was synced before its rename)
// and the directory itself are durable, and every removal too. It writes no
// data; a missing directory has nothing to make durable.
//
// Crash contract: Sync changes no content; after a nil return the content
// read last is durable; after an error nothing is known of durability and a
// retry is safe. The migration Runner calls it before it sets the flag: a
// change whose directory sync failed in an earlier run is visible but not
// durable, and the flag must not vouch for it.
func (s *Store) Sync(ctx context.Context) error {
	return s.locked(ctx, false, func(exists bool) error {
		if !exists {
			return nil
		}
		if err := s.syncDir(); err != nil {
			return err
		}
		if err := atomicfile.SyncDir(s.fsys, filepath.Dir(s.dir)); err != nil {
			return fmt.Errorf("dirstore %s: %w", s.dir, err)
		}
		return nil
	})
}
