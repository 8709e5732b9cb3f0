package encfile

import (
	"context"
	"maps"

	"github.com/scopemig/scopemig/impl/secrets"
)

// Rehearsal is a writable view of a Snapshot that writes nothing: its
// Update runs fn on a copy of the snapshot's content and then every check
// Store.Update makes before it writes (the same code: names and values
// ToolHive's format can hold, ToolHive's 32 MiB plaintext limit with the
// sizes of the result and of the file), and returns the error the write
// would have failed with. The change itself is discarded: the next Update
// starts from the snapshot again. So `scopemig plan` runs the transaction
// `scopemig migrate` would run, refusals included, on a read-only
// directory. Reads come from the snapshot; SetSecret and DeleteSecret fail
// with secrets.ErrReadOnly (the migration of a transactional store uses
// Update only). It never touches the file system. Safe for concurrent use
// (store.mu guards store's scratch buffers).
type Rehearsal struct {
	*Snapshot
	store Store // path and key of the snapshot; used for seal only
}

var (
	_ secrets.Provider = (*Rehearsal)(nil)
	_ secrets.Updater  = (*Rehearsal)(nil)
)

// Rehearse returns a Rehearsal of s.
func (s *Snapshot) Rehearse() *Rehearsal {
	return &Rehearsal{Snapshot: s, store: Store{path: s.path, aead: s.aead}}
}

// Update implements secrets.Updater without writing: see Rehearsal.
func (r *Rehearsal) Update(_ context.Context, fn func(map[string]string) error) error {
	m := maps.Clone(r.m)
	write, err := changeOf(fn)(m)
	if err != nil || !write {
		return err
	}
	r.store.mu.Lock()
	defer r.store.mu.Unlock()
	_, err = r.store.seal(m, r.o, r.fileSize)
	return err
}

// Capabilities implements secrets.Provider: those of the store rehearsed
// (a Store can write), so that a migration runs on it as on the Store.
func (*Rehearsal) Capabilities() secrets.Capabilities {
	return (*Store)(nil).Capabilities()
}
