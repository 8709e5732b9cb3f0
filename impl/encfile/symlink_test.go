package encfile_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/encfile"
)

// lockLog is a simulated disk that records the name of every lock taken.
type lockLog struct {
	*faults.MemFS
	mu    sync.Mutex // guards names
	names []string
}

func (l *lockLog) Lock(ctx context.Context, name string) (func() error, error) {
	l.mu.Lock()
	l.names = append(l.names, name)
	l.mu.Unlock()
	return l.MemFS.Lock(ctx, name)
}

// A store that is a symlink: writes replace the target in its directory
// under that directory's lock, ToolHive's sidecar lock is taken next to the
// link (where EncryptedManager takes it), and the link stays a link.
func TestStoreThroughLink(t *testing.T) {
	m := faults.NewMemFS()
	require.NoError(t, m.MkdirAll("/h/data", 0o700))
	require.NoError(t, m.MkdirAll("/h/dot", 0o700))
	require.NoError(t, m.SymlinkIfPossible("../dot/secrets", "/h/data/secrets_encrypted"))
	pw := []byte("pw")
	f, err := m.Create("/h/dot/secrets") // ToolHive's empty store
	require.NoError(t, err)
	require.NoError(t, f.Close())
	fsys := &lockLog{MemFS: m}
	s, err := encfile.Open(fsys, "/h/data/secrets_encrypted", pw)
	require.NoError(t, err)
	require.Equal(t, "/h/dot/secrets", s.Path())
	fsys.names = nil
	require.NoError(t, s.SetSecret(context.Background(), "k", "v"))
	require.Equal(t, []string{"/h/dot", "/h/data/secrets_encrypted.lock"}, fsys.names)

	link, err := m.ReadlinkIfPossible("/h/data/secrets_encrypted")
	require.NoError(t, err)
	require.Equal(t, "../dot/secrets", link, "still the link")
	s2, err := encfile.Open(m, "/h/dot/secrets", pw)
	require.NoError(t, err)
	v, err := s2.GetSecret(context.Background(), "k")
	require.NoError(t, err)
	require.Equal(t, "v", v, "written to the target")
	for p := range m.Files() {
		require.False(t, atomicfile.IsTemp(p), p)
	}

	snap, err := encfile.Inspect(context.Background(), m, "/h/data/secrets_encrypted", pw)
	require.NoError(t, err)
	require.Equal(t, 1, snap.Len())
}

// An unsafe store link fails Open and Inspect with ErrUnsafeLink before
// any write.
func TestStoreUnsafeLinkRefused(t *testing.T) {
	m := faults.NewMemFS()
	require.NoError(t, m.MkdirAll("/h/data", 0o777)) // the link's directory is world-writable
	require.NoError(t, m.MkdirAll("/h/dot", 0o700))
	f, err := m.Create("/h/dot/secrets")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.NoError(t, m.SymlinkIfPossible("/h/dot/secrets", "/h/data/secrets_encrypted"))
	p := faults.NewFS(m, nil)
	_, err = encfile.Open(p, "/h/data/secrets_encrypted", []byte("pw"))
	require.ErrorIs(t, err, atomicfile.ErrUnsafeLink)
	_, err = encfile.Inspect(context.Background(), p, "/h/data/secrets_encrypted", []byte("pw"))
	require.ErrorIs(t, err, atomicfile.ErrUnsafeLink)
	require.Zero(t, p.Ops())
}
