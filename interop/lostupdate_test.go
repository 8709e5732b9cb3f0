package interop

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/spf13/afero"
	thsecrets "github.com/stacklok/toolhive/pkg/secrets"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
)

// The lost-update scenario. A registry OAuth refresh token was stored by an
// old ToolHive under the bare key REGISTRY_OAUTH_<hash>. A running ToolHive
// process (its registry token source, through
// ScopedProvider(registry).SetSecret, see pkg/auth/tokensource
// makeTokenPersister) rotates the token: the identity provider revokes the
// old one and the new one is written under the scoped key. Concurrently a
// new `thv` invocation runs the one-shot startup migration. The rotated
// token must survive.
const (
	rtName    = "REGISTRY_OAUTH_a1b2c3d4"
	rtScoped  = "__thv_registry_" + rtName
	rtOld     = "refresh-token-old-revoked"
	rtRotated = "refresh-token-rotated"
	userValue = "user-value"
)

// rotateWithToolHive is the concurrent writer: another ToolHive process
// (its own EncryptedManager on the same file) rotating the token through
// ToolHive's ScopedProvider.
func rotateWithToolHive(path string) error {
	other, err := thsecrets.NewEncryptedManager(path, thKey())
	if err != nil {
		return err
	}
	return thsecrets.NewScopedProvider(other, thsecrets.ScopeRegistry).SetSecret(context.Background(), rtName, rtRotated)
}

// lostUpdateStore writes the pre-migration store with ToolHive's code and
// returns the store and config paths.
func lostUpdateStore(t *testing.T) (secretsPath, configPath string) {
	t.Helper()
	dir := t.TempDir()
	secretsPath, configPath = filepath.Join(dir, secretsName), filepath.Join(dir, configName)
	th := thManager(t, secretsPath)
	require.NoError(t, th.SetSecret(context.Background(), rtName, rtOld))
	require.NoError(t, th.SetSecret(context.Background(), "github-token", userValue))
	copyFile(t, filepath.Join(fixtureDir, configName), configPath)
	// Before the migration the running process reads the bare token through
	// the migration-window fallback.
	got, err := thsecrets.NewScopedProvider(th, thsecrets.ScopeRegistry).GetSecret(context.Background(), rtName)
	require.NoError(t, err)
	require.Equal(t, rtOld, got)
	return secretsPath, configPath
}

// TestLostUpdateToolHive reproduces the lost update in ToolHive v0.47.0's
// MigrateSystemKeys, deterministically: a wrapping provider lets the
// concurrent rotation land immediately before the migration's first write,
// i.e. after MigrateSystemKeys saw the scoped key absent (its existence
// check) and read the bare value. MigrateSystemKeys then writes the old
// bare value over the rotated token: the scoped key ends with the revoked
// token.
func TestLostUpdateToolHive(t *testing.T) {
	secretsPath, configPath := lostUpdateStore(t)
	w := &thInjector{Provider: thManager(t, secretsPath), injectOnce: &injectOnce{inject: func() error { return rotateWithToolHive(secretsPath) }}}
	require.NoError(t, toolhiveMigrateProvider(w, configPath))

	require.Equal(t, []string{
		"list",
		"get " + rtScoped + " -> not found", // existence check: scoped key absent
		"get " + rtName + " -> found",       // bare value read
		"inject",                            // the rotation lands here
		"set " + rtScoped,                   // old bare value written over the rotated token
		"delete " + rtName,
	}, w.trace, "the interleaving")

	got, err := thsecrets.NewScopedProvider(thManager(t, secretsPath), thsecrets.ScopeRegistry).GetSecret(context.Background(), rtName)
	require.NoError(t, err)
	require.Equal(t, rtOld, got, "ToolHive's migration overwrote the rotated token with the old bare value")
	require.NotContains(t, readViews(t, secretsPath, nil).Raw, rtName)
}

// TestLostUpdateScopemig runs scopemig's Runner under the same
// interleaving: the rotation lands immediately before the Runner's first
// write, after its discovery read the scoped key absent and the bare key
// present. The Runner's write is one Update transaction that recomputes the
// moves under the store lock, so it sees the rotated token, keeps it, and
// treats the old bare value as a conflict loser (quarantined under keep,
// dropped under drop).
func TestLostUpdateScopemig(t *testing.T) {
	for _, policy := range []migrate.Policy{migrate.Keep, migrate.Drop} {
		t.Run(policy.String(), func(t *testing.T) {
			secretsPath, configPath := lostUpdateStore(t)
			osfs := afero.NewOsFs()
			st, err := encfile.Open(osfs, secretsPath, []byte(password))
			require.NoError(t, err)
			w := &smInjector{store: st, injectOnce: &injectOnce{inject: func() error { return rotateWithToolHive(secretsPath) }}}
			// A plan made first (as `scopemig plan` would) sees a plain move; the
			// rotation then lands before the Runner's one transaction, which
			// recomputes the moves on what it reads under the lock.
			plan, err := migrate.Discover(context.Background(), w, secrets.Scheme{}, policy)
			require.NoError(t, err)
			require.Equal(t, migrate.Moved, plan.Steps[0].Outcome)
			r := migrate.Runner{Provider: w, Flag: config.Flag{Fs: osfs, Path: configPath}, Policy: policy}
			rep, err := r.Run(context.Background())
			require.NoError(t, err)
			require.Equal(t, migrate.StatusMigrated, rep.Status)
			require.True(t, rep.Transactional)

			require.Contains(t, w.trace, "get "+rtScoped+" -> not found")
			require.Equal(t, []string{"inject", "update"}, w.trace[len(w.trace)-2:], "the interleaving")

			v := readViews(t, secretsPath, []string{rtName})
			require.Equal(t, rtRotated, v.Probe[thsecrets.ScopeRegistry][rtName], "the rotated token survives")
			require.NotContains(t, v.Raw, rtName)
			require.Len(t, rep.Steps, 1)
			require.Equal(t, rtName, rep.Steps[0].Key)
			if policy == migrate.Keep {
				require.Equal(t, migrate.ConflictQuarantined, rep.Steps[0].Outcome)
				require.Equal(t, rtOld, v.Raw["__thv_legacy_"+rtName], "the old value is quarantined, not lost")
			} else {
				require.Equal(t, migrate.ConflictDropped, rep.Steps[0].Outcome)
				require.Len(t, v.Raw, 2)
			}
			require.True(t, thLoadConfig(t, configPath).SecretScopeMigration)
		})
	}
}

// injectOnce records calls and runs inject once, immediately before the
// first mutating call. Both wrappers below embed it.
type injectOnce struct {
	inject func() error

	mu    sync.Mutex // guards done and trace
	done  bool
	trace []string
}

func (w *injectOnce) record(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.trace = append(w.trace, s)
}

func (w *injectOnce) beforeWrite() error {
	w.mu.Lock()
	first := !w.done
	w.done = true
	w.mu.Unlock()
	if !first {
		return nil
	}
	w.record("inject")
	return w.inject()
}

// thInjector wraps a ToolHive provider with an injectOnce.
type thInjector struct {
	thsecrets.Provider
	*injectOnce
}

var _ thsecrets.Provider = (*thInjector)(nil)

func (w *thInjector) GetSecret(ctx context.Context, name string) (string, error) {
	v, err := w.Provider.GetSecret(ctx, name)
	w.record("get " + name + found(err == nil))
	return v, err
}

func (w *thInjector) ListSecrets(ctx context.Context) ([]thsecrets.SecretDescription, error) {
	w.record("list")
	return w.Provider.ListSecrets(ctx)
}

func (w *thInjector) SetSecret(ctx context.Context, name, value string) error {
	if err := w.beforeWrite(); err != nil {
		return err
	}
	w.record("set " + name)
	return w.Provider.SetSecret(ctx, name, value)
}

func (w *thInjector) DeleteSecret(ctx context.Context, name string) error {
	if err := w.beforeWrite(); err != nil {
		return err
	}
	w.record("delete " + name)
	return w.Provider.DeleteSecret(ctx, name)
}

func (w *thInjector) DeleteSecrets(ctx context.Context, names []string) error {
	if err := w.beforeWrite(); err != nil {
		return err
	}
	w.record("delete-many")
	return w.Provider.DeleteSecrets(ctx, names)
}

func (w *thInjector) Cleanup() error {
	if err := w.beforeWrite(); err != nil {
		return err
	}
	w.record("cleanup")
	return w.Provider.Cleanup()
}

// smInjector is the same wrapper around a scopemig encfile store; it keeps
// the store's Updater (its transactional write).
type smInjector struct {
	store *encfile.Store
	*injectOnce
}

var (
	_ secrets.Provider = (*smInjector)(nil)
	_ secrets.Updater  = (*smInjector)(nil)
)

func (w *smInjector) GetSecret(ctx context.Context, name string) (string, error) {
	v, err := w.store.GetSecret(ctx, name)
	w.record("get " + name + found(err == nil))
	return v, err
}

func (w *smInjector) ListSecrets(ctx context.Context) ([]secrets.SecretDescription, error) {
	w.record("list")
	return w.store.ListSecrets(ctx)
}

func (w *smInjector) SetSecret(ctx context.Context, name, value string) error {
	if err := w.beforeWrite(); err != nil {
		return err
	}
	w.record("set " + name)
	return w.store.SetSecret(ctx, name, value)
}

func (w *smInjector) DeleteSecret(ctx context.Context, name string) error {
	if err := w.beforeWrite(); err != nil {
		return err
	}
	w.record("delete " + name)
	return w.store.DeleteSecret(ctx, name)
}

func (w *smInjector) DeleteSecrets(ctx context.Context, names []string) error {
	if err := w.beforeWrite(); err != nil {
		return err
	}
	w.record("delete-many")
	return w.store.DeleteSecrets(ctx, names)
}

func (w *smInjector) Cleanup() error {
	if err := w.beforeWrite(); err != nil {
		return err
	}
	w.record("cleanup")
	return w.store.Cleanup()
}

func (w *smInjector) Capabilities() secrets.Capabilities { return w.store.Capabilities() }

func (w *smInjector) Update(ctx context.Context, fn func(map[string]string) error) error {
	if err := w.beforeWrite(); err != nil {
		return err
	}
	w.record("update")
	return w.store.Update(ctx, fn)
}

func found(ok bool) string {
	if ok {
		return " -> found"
	}
	return " -> not found"
}
