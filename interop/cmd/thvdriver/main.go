// Command thvdriver runs ToolHive v0.47.0's own startup migration glue on a
// store, for the syscall-level explorer (docs/toolhive-crash-findings.md)
// and for the patched builds of docs/upstream.md:
//
//	thvdriver SECRETS_FILE CONFIG_FILE
//
// Password from TOOLHIVE_SECRETS_PASSWORD (key = SHA-256 of it, as
// ToolHive derives it). It does what pkg/migration's
// CheckAndPerformSecretScopeMigration does minus the keyring and XDG
// lookups: load the config, stop if secret_scope_migration is set,
// otherwise secrets.NewEncryptedManager + DiscoverMigrations +
// MigrateSystemKeys, then config.UpdateConfigAtPath setting the flag.
// Exit 0 when done, 1 on error (the error never contains a value).
//
// Test hooks (environment; none is set by the explorer's runs):
//
//   - THVDRIVER_BEFORE_WRITE, a JSON array (argv): a command run to
//     completion right before the migration's first write to the store
//     (its first SetSecret or DeleteSecret, or its MigrateKeys when the
//     build has the one-transaction path), i.e. after MigrateSystemKeys'
//     own existence checks. ToolHive's writers run there (cmd/thvwriter).
//   - THVDRIVER_PROVIDER=external: the store is reached through a provider
//     with Provider's methods only, as a third-party backend (1Password):
//     MigrateSystemKeys takes its per-key path on every build.
//   - THVDRIVER_FAIL=N (with external): the N-th provider call (from 1)
//     fails with an error whose text is THVDRIVER_FAIL_TEXT (default
//     "injected failure").
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"

	thconfig "github.com/stacklok/toolhive/pkg/config"
	thsecrets "github.com/stacklok/toolhive/pkg/secrets"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: thvdriver SECRETS_FILE CONFIG_FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "thvdriver:", err)
		os.Exit(1)
	}
}

func run(secretsPath, configPath string) error {
	pw := os.Getenv("TOOLHIVE_SECRETS_PASSWORD")
	if pw == "" {
		return errors.New("TOOLHIVE_SECRETS_PASSWORD is not set")
	}
	key := sha256.Sum256([]byte(pw))
	cfg, err := thconfig.LoadOrCreateConfigFromPath(configPath)
	if err != nil {
		return err
	}
	if cfg.SecretScopeMigration {
		return nil
	}
	p, err := thsecrets.NewEncryptedManager(secretsPath, key[:])
	if err != nil {
		return err
	}
	if p, err = withHooks(p); err != nil {
		return err
	}
	ctx := context.Background()
	migs, err := thsecrets.DiscoverMigrations(ctx, p)
	if err != nil {
		return err
	}
	if len(migs) > 0 {
		if err := thsecrets.MigrateSystemKeys(ctx, p, migs); err != nil {
			return err
		}
	}
	return thconfig.UpdateConfigAtPath(configPath, func(c *thconfig.Config) error {
		c.SecretScopeMigration = true
		return nil
	})
}

// withHooks wraps p as the environment asks (see the package doc).
func withHooks(p thsecrets.Provider) (thsecrets.Provider, error) {
	h := &hooks{}
	if s := os.Getenv("THVDRIVER_BEFORE_WRITE"); s != "" {
		if err := json.Unmarshal([]byte(s), &h.before); err != nil || len(h.before) == 0 {
			return nil, errors.New("THVDRIVER_BEFORE_WRITE must be a non-empty JSON array")
		}
	}
	if s := os.Getenv("THVDRIVER_FAIL"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, errors.New("THVDRIVER_FAIL must be a positive integer")
		}
		h.failAt, h.failText = n, os.Getenv("THVDRIVER_FAIL_TEXT")
		if h.failText == "" {
			h.failText = "injected failure"
		}
	}
	ext := &external{Provider: p, h: h}
	switch {
	case os.Getenv("THVDRIVER_PROVIDER") == "external":
		return ext, nil
	case h.failAt > 0:
		return nil, errors.New("THVDRIVER_FAIL needs THVDRIVER_PROVIDER=external")
	case h.before != nil:
		return &transactional{external: ext}, nil
	}
	return p, nil
}

// hooks are the test hooks of one run.
type hooks struct {
	before   []string // run once before the first write; nil after it ran
	calls    int      // provider calls so far
	failAt   int      // the call that fails (0: none)
	failText string
}

// call counts a provider call and returns the injected failure, if due.
func (h *hooks) call() error {
	h.calls++
	if h.calls == h.failAt {
		return errors.New(h.failText)
	}
	return nil
}

// beforeWrite runs the before-write command once.
func (h *hooks) beforeWrite() error {
	if h.before == nil {
		return nil
	}
	argv := h.before
	h.before = nil
	cmd := exec.Command(argv[0], argv[1:]...) // #nosec G204 -- a test hook
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("THVDRIVER_BEFORE_WRITE: %w", err)
	}
	return nil
}

// external is the store as a provider with Provider's methods only.
type external struct {
	thsecrets.Provider
	h *hooks
}

func (e *external) GetSecret(ctx context.Context, name string) (string, error) {
	if err := e.h.call(); err != nil {
		return "", err
	}
	return e.Provider.GetSecret(ctx, name)
}

func (e *external) SetSecret(ctx context.Context, name, value string) error {
	if err := e.h.call(); err != nil {
		return err
	}
	if err := e.h.beforeWrite(); err != nil {
		return err
	}
	return e.Provider.SetSecret(ctx, name, value)
}

func (e *external) DeleteSecret(ctx context.Context, name string) error {
	if err := e.h.call(); err != nil {
		return err
	}
	if err := e.h.beforeWrite(); err != nil {
		return err
	}
	return e.Provider.DeleteSecret(ctx, name)
}

func (e *external) ListSecrets(ctx context.Context) ([]thsecrets.SecretDescription, error) {
	if err := e.h.call(); err != nil {
		return nil, err
	}
	return e.Provider.ListSecrets(ctx)
}

// keyMigrator is the optional one-transaction interface of the patched
// build (secrets.KeyMigrator of interop/upstream/0003); v0.47.0 has none.
type keyMigrator interface {
	MigrateKeys(ctx context.Context, keyMigrations []thsecrets.KeyMigration) error
}

// transactional is external that also forwards the one-transaction path
// when the store has it: the before-write command runs before it.
type transactional struct{ *external }

// MigrateKeys runs the before-write hook, then the store's MigrateKeys.
// Only a patched MigrateSystemKeys calls it.
func (t *transactional) MigrateKeys(ctx context.Context, keyMigrations []thsecrets.KeyMigration) error {
	km, ok := t.Provider.(keyMigrator)
	if !ok {
		return errors.New("the store has no MigrateKeys")
	}
	if err := t.h.beforeWrite(); err != nil {
		return err
	}
	return km.MigrateKeys(ctx, keyMigrations)
}
