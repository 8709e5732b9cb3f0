package interop

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
)

// TestLockExcludesToolHiveWriter is the guarantee that scopemig's store lock
// and ToolHive's exclude each other on the same secrets file. ToolHive
// v0.47.0 serialises writers with flock(2) on the sidecar file
// "<secrets file>.lock" (pkg/fileutils.WithFileLock, 5 s timeout, the file
// removed on release); encfile writes take that same lock (after their
// directory lock, impl/fslock.AcquireFile) for the whole transaction. So a
// ToolHive write (here a token rotation through another EncryptedManager)
// started while a scopemig transaction runs blocks until the transaction
// has committed, then rereads the file and lands on top of it: both writes
// survive. (Before the fix the ToolHive write ran at once and the
// transaction's replace overwrote it.)
func TestLockExcludesToolHiveWriter(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, secretsName)
	th := thManager(t, path)
	require.NoError(t, th.SetSecret(context.Background(), "github-token", userValue))

	st, err := encfile.Open(afero.NewOsFs(), path, []byte(password))
	require.NoError(t, err)
	thDone := make(chan error, 1)
	err = st.Update(context.Background(), func(m map[string]string) error {
		// scopemig holds its locks and has read the content; ToolHive writes.
		go func() { thDone <- rotateWithToolHive(path) }()
		select {
		case err := <-thDone:
			t.Errorf("ToolHive's write ran inside scopemig's transaction (err %v): the locks do not exclude each other", err)
		case <-time.After(time.Second): // well under ToolHive's 5 s lock timeout
		}
		m["scopemig-write"] = "x"
		return nil
	})
	require.NoError(t, err)
	select {
	case err := <-thDone:
		require.NoError(t, err, "ToolHive's write proceeds once scopemig releases")
	case <-time.After(10 * time.Second):
		t.Fatal("ToolHive's write never completed")
	}
	raw := readViews(t, path, nil).Raw
	require.Contains(t, raw, "scopemig-write", "scopemig's transaction is kept")
	require.Equal(t, rtRotated, raw[rtScoped], "ToolHive's write, serialised after it, is kept too")
	require.Equal(t, userValue, raw["github-token"])
}
