package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
)

// childCmdName is the hidden subcommand the real-process soak starts.
const childCmdName = "__child"

// newChildCmd is `scopemig __child migrate --secrets-file F --config C`
// (password from TOOLHIVE_SECRETS_PASSWORD):
// the child process of `soak --real`. It migrates the store with the
// project's Runner (policy keep) on the OS filesystem and prints nothing;
// exit 0 on success, 1 on error. The parent kills it with SIGKILL at a
// random moment, so it has no crash contract of its own beyond the
// Runner's: every step is an atomic, durable replace.
func newChildCmd() *cobra.Command {
	child := &cobra.Command{Use: childCmdName, Hidden: true, Args: cobra.NoArgs}
	var secretsFile, configFile string
	mig := &cobra.Command{
		Use:  "migrate",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pw := os.Getenv(PasswordEnvVar)
			if pw == "" {
				return errNoPassword
			}
			if secretsFile == "" || configFile == "" {
				return errors.New("__child migrate: --secrets-file and --config are required")
			}
			return childMigrate(cmd.Context(), afero.NewOsFs(), secretsFile, configFile, []byte(pw))
		},
	}
	mig.Flags().StringVar(&secretsFile, "secrets-file", "", "encrypted secrets file")
	mig.Flags().StringVar(&configFile, "config", "", "ToolHive config file")
	child.AddCommand(mig)
	return child
}

func childMigrate(ctx context.Context, fsys afero.Fs, secretsFile, configFile string, pw []byte) error {
	if ctx == nil {
		ctx = context.Background()
	}
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
