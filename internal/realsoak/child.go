package realsoak

import (
	"context"
	"fmt"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
)

// Child is what a soak child runs: the project's Runner (policy keep) on
// the store and config at the given paths. The parent kills it with
// SIGKILL at a random moment, so it has no crash contract of its own
// beyond the Runner's: every step is an atomic, durable replace.
func Child(ctx context.Context, fsys afero.Fs, secretsFile, configFile string, pw []byte) error {
	p, err := encfile.Open(fsys, secretsFile, pw)
	if err != nil {
		return fmt.Errorf("child: open: %w", err)
	}
	r := migrate.Runner{Provider: p, Flag: config.Flag{Fs: fsys, Path: configFile}, Policy: migrate.Keep}
	if _, err := r.Run(ctx); err != nil {
		return fmt.Errorf("child: migrate: %w", err)
	}
	return nil
}
