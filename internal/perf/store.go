package perf

import (
	"context"
	"fmt"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
)

// benchConfig is the config file of a RealStore before migration.
const benchConfig = "secrets:\n  provider_type: encrypted\n  setup_completed: true\nsecret_scope_migration: false\n"

// RealStore is a ToolHive-layout machine rooted in a real directory: the
// encrypted store at EncfilePath and the config at ConfigPath under Dir
// (through afero.BasePathFs over the OS, so locks are real flocks and
// writes real fsyncs). The benchmarks migrate it again and again.
type RealStore struct {
	Dir  string
	Fs   afero.Fs
	file []byte // the encrypted store Reset writes; immutable
}

// NewRealStore prepares dir (which must exist) with the content m. It
// writes nothing until Reset.
func NewRealStore(dir string, m map[string]string) (*RealStore, error) {
	file, err := encfile.Encode(encfile.KeyFromPassword([]byte(fixture.TestPassword)), m, nil)
	if err != nil {
		return nil, fmt.Errorf("bench store: %w", err)
	}
	fsys := afero.NewBasePathFs(afero.NewOsFs(), dir)
	for _, d := range []string{fixture.DataDir, fixture.ConfigDir} {
		if err := fsys.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("bench store: %w", err)
		}
	}
	return &RealStore{Dir: dir, Fs: fsys, file: file}, nil
}

// Reset rewrites the unmigrated store and config (not durably: a benchmark
// fixture, not a product path).
func (r *RealStore) Reset() error {
	if err := afero.WriteFile(r.Fs, fixture.EncfilePath, r.file, 0o600); err != nil {
		return fmt.Errorf("bench store: %w", err)
	}
	if err := afero.WriteFile(r.Fs, fixture.ConfigPath, []byte(benchConfig), 0o600); err != nil {
		return fmt.Errorf("bench store: %w", err)
	}
	return nil
}

// Migrate opens the store (as a new process would, with opts) and runs m
// on it.
func (r *RealStore) Migrate(ctx context.Context, m func(context.Context, afero.Fs, secrets.Provider) error, opts ...encfile.Option) error {
	p, err := encfile.OpenContext(ctx, r.Fs, fixture.EncfilePath, []byte(fixture.TestPassword), opts...)
	if err != nil {
		return err
	}
	return m(ctx, r.Fs, p)
}

// Check reports an error unless the store holds no legacy key and the
// flag is set: a benchmark must time a migration that happened.
func (r *RealStore) Check(ctx context.Context) error {
	p, err := encfile.OpenContext(ctx, r.Fs, fixture.EncfilePath, []byte(fixture.TestPassword))
	if err != nil {
		return err
	}
	snap, err := p.Snapshot(ctx)
	if err != nil {
		return err
	}
	sch := secrets.DefaultScheme()
	for k := range snap {
		if _, ok := sch.LegacyTarget(k); ok {
			return fmt.Errorf("bench store: legacy key left after migration (%d keys)", len(snap))
		}
	}
	done, err := fixture.Flag(r.Fs).Migrated(ctx)
	if err != nil {
		return err
	}
	if !done {
		return fmt.Errorf("bench store: flag not set after migration")
	}
	return nil
}
