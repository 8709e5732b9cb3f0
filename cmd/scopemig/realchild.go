package main

import (
	"errors"
	"os"
	"os/exec"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/internal/realsoak"
)

// childCmdName is the hidden subcommand the real-process soak starts.
const childCmdName = "__child"

// newChildCmd is `scopemig __child migrate --secrets-file F --config C`
// (password from TOOLHIVE_SECRETS_PASSWORD):
// the child process of `soak --real` (realsoak.Child); it prints nothing,
// exit 0 on success, 1 on error.
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
			return realsoak.Child(cmd.Context(), afero.NewOsFs(), secretsFile, configFile, []byte(pw))
		},
	}
	mig.Flags().StringVar(&secretsFile, "secrets-file", "", "encrypted secrets file")
	mig.Flags().StringVar(&configFile, "config", "", "ToolHive config file")
	child.AddCommand(mig)
	return child
}

// childCommand starts `exe __child migrate` on one store of the real soak,
// with the soak's password in the environment (and env, for tests).
func childCommand(exe string, env []string) func(secretsFile, configFile string) *exec.Cmd {
	return func(secretsFile, configFile string) *exec.Cmd {
		cmd := exec.Command(exe, childCmdName, "migrate", "--secrets-file", secretsFile, "--config", configFile)
		cmd.Env = append(append(os.Environ(), PasswordEnvVar+"="+realsoak.Password), env...)
		return cmd
	}
}
