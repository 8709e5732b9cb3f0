package dirstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/dirstore"
	"github.com/scopemig/scopemig/impl/secrets"
)

const dir = "/data/secrets.d"

func TestNamesStayInsideTheDirectory(t *testing.T) {
	ctx := context.Background()
	fsys := afero.NewMemMapFs()
	s, err := dirstore.Open(fsys, dir, []byte("pw"))
	require.NoError(t, err)
	names := []string{"../x", "/abs/path", "a\x00b", "a/b\\c", strings.Repeat("long", 300), "Case", "case"}
	for i, n := range names {
		require.NoError(t, s.SetSecret(ctx, n, strings.Repeat("v", i)))
	}
	files, err := afero.ReadDir(fsys, dir)
	require.NoError(t, err)
	require.Len(t, files, len(names))
	all, err := afero.ReadDir(fsys, "/data")
	require.NoError(t, err)
	require.Len(t, all, 1, "nothing written outside the store directory")
	for i, n := range names {
		v, err := s.GetSecret(ctx, n)
		require.NoError(t, err)
		require.Equal(t, strings.Repeat("v", i), v)
	}
}

func TestTempAndForeignFilesNotListedAndStaleTempRemoved(t *testing.T) {
	ctx := context.Background()
	fsys := afero.NewMemMapFs()
	s, err := dirstore.Open(fsys, dir, []byte("pw"))
	require.NoError(t, err)
	require.NoError(t, s.SetSecret(ctx, "k", "value-1"))
	files, err := afero.ReadDir(fsys, dir)
	require.NoError(t, err)
	secretFile := filepath.Join(dir, files[0].Name())
	tmp := atomicfile.TempName(secretFile)
	require.NoError(t, afero.WriteFile(fsys, tmp, []byte("half"), 0o600))
	require.NoError(t, afero.WriteFile(fsys, filepath.Join(dir, "README"), []byte("foreign"), 0o600))
	list, err := s.ListSecrets(ctx)
	require.NoError(t, err)
	require.Equal(t, []secrets.SecretDescription{{Key: "k"}}, list)
	_, err = dirstore.Open(fsys, dir, []byte("pw"))
	require.NoError(t, err)
	_, err = fsys.Stat(tmp)
	require.Error(t, err, "stale temp removed by Open")
	_, err = fsys.Stat(filepath.Join(dir, "README"))
	require.NoError(t, err, "foreign file kept")
}

func TestWrongPasswordAndNotFound(t *testing.T) {
	ctx := context.Background()
	fsys := afero.NewMemMapFs()
	s, err := dirstore.Open(fsys, dir, []byte("pw"))
	require.NoError(t, err)
	_, err = s.GetSecret(ctx, "missing")
	require.ErrorIs(t, err, secrets.ErrNotFound)
	require.ErrorIs(t, s.DeleteSecret(ctx, "missing"), secrets.ErrNotFound)
	require.NoError(t, s.SetSecret(ctx, "k", "value-1"))
	_, err = dirstore.Open(fsys, dir, []byte("other"))
	require.ErrorIs(t, err, dirstore.ErrDecrypt)
	require.NoError(t, afero.WriteFile(fsys, "/file", nil, 0o600))
	_, err = dirstore.Open(fsys, "/file", []byte("pw"))
	require.ErrorIs(t, err, dirstore.ErrNotDir)
}

func TestBatchJournalRolledForward(t *testing.T) {
	ctx := context.Background()
	fsys := afero.NewMemMapFs()
	errCrash := errors.New("simulated crash after the journal")
	// The journal's rename succeeds, then the "process dies": nothing of
	// the batch is removed yet.
	stop := &stopFs{Fs: fsys, base: "pending.jnl", err: errCrash, armed: true}
	s, err := dirstore.OpenContext(ctx, stop, dir, []byte("pw"))
	require.NoError(t, err)
	for _, k := range []string{"a", "b", "c"} {
		require.NoError(t, s.SetSecret(ctx, k, "value-"+k))
	}
	require.ErrorIs(t, s.DeleteSecrets(ctx, []string{"a", "b", "zz"}), errCrash)
	files, err := afero.ReadDir(fsys, dir)
	require.NoError(t, err)
	require.Len(t, files, 4, "three secrets and the journal")
	s2, err := dirstore.Open(fsys, dir, []byte("pw"))
	require.NoError(t, err)
	list, err := s2.ListSecrets(ctx)
	require.NoError(t, err)
	require.Equal(t, []secrets.SecretDescription{{Key: "c"}}, list)
	files, err = afero.ReadDir(fsys, dir)
	require.NoError(t, err)
	require.Len(t, files, 1, "journal removed after the roll forward")
}
