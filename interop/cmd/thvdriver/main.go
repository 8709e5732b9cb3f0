// Command thvdriver runs ToolHive v0.47.0's own, unmodified startup
// migration glue on a store, for the syscall-level explorer
// (docs/toolhive-crash-findings.md):
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
package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"

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
		return fmt.Errorf("TOOLHIVE_SECRETS_PASSWORD is not set")
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
