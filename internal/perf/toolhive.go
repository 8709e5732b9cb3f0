package perf

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
)

// ToolHiveMigrator is a faithful re-implementation of ToolHive v0.47.0's
// per-key migration (pkg/secrets/migration.go: DiscoverMigrations, then
// MigrateSystemKeys, then the config flag), run through the provider's
// public API only, so that on encfile every call is a locked full-file
// reread and every write a full-file rewrite. Per legacy key k → t:
//
//  1. GetSecret(t); found → DeleteSecret(k) (not-found ignored), next key;
//  2. GetSecret(k); not found → next key;
//  3. SetSecret(t, v); DeleteSecret(k).
//
// It implements policy Drop (a conflicting bare value is discarded). It
// is the baseline of the migration benchmarks, not a product path.
//
// Crash contract: ToolHive's: write before delete per key, the flag after
// every key; a crash leaves a prefix of the keys migrated and the current
// key under both names at worst; a re-run converges.
func ToolHiveMigrator() func(context.Context, afero.Fs, secrets.Provider) error {
	return func(ctx context.Context, fsys afero.Fs, p secrets.Provider) error {
		if done, err := fixture.Flag(fsys).Migrated(ctx); err != nil || done {
			return err
		}
		if err := ToolHiveMigrate(ctx, p, secrets.DefaultScheme()); err != nil {
			return err
		}
		return fixture.Flag(fsys).SetMigrated(ctx)
	}
}

// ToolHiveMigrate is the data part of ToolHiveMigrator: discover from one
// listing, then the per-key loop of ToolHive's MigrateSystemKeys.
func ToolHiveMigrate(ctx context.Context, p secrets.Provider, sch secrets.Scheme) error {
	list, err := p.ListSecrets(ctx)
	if err != nil {
		return fmt.Errorf("migration discovery: listing secrets: %w", err)
	}
	type move struct{ old, new string }
	var moves []move
	for _, d := range list {
		if t, ok := sch.LegacyTarget(d.Key); ok {
			moves = append(moves, move{d.Key, t})
		}
	}
	for _, m := range moves {
		if _, err := p.GetSecret(ctx, m.new); err == nil {
			if err := p.DeleteSecret(ctx, m.old); err != nil && !errors.Is(err, secrets.ErrNotFound) {
				return fmt.Errorf("migration: deleting stale bare key %q: %w", m.old, err)
			}
			continue
		}
		v, err := p.GetSecret(ctx, m.old)
		if errors.Is(err, secrets.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("migration: reading %q: %w", m.old, err)
		}
		if err := p.SetSecret(ctx, m.new, v); err != nil {
			return fmt.Errorf("migration: writing %q: %w", m.new, err)
		}
		if err := p.DeleteSecret(ctx, m.old); err != nil {
			return fmt.Errorf("migration: deleting %q: %w", m.old, err)
		}
	}
	return nil
}
