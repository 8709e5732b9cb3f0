package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
)

// migrateReport is the stable JSON output of `scopemig migrate --json`
// (documented in docs/cli.md).
type migrateReport struct {
	Command       string         `json:"command"`
	Status        migrate.Status `json:"status"`
	SecretsFile   string         `json:"secrets_file"`
	ConfigFile    string         `json:"config_file"`
	Policy        migrate.Policy `json:"policy"`
	Forced        bool           `json:"forced"`
	Transactional bool           `json:"transactional"`
	FlagWritten   bool           `json:"flag_written"`
	Steps         []migrate.Step `json:"steps"`
	Counts        migrate.Counts `json:"counts"`
}

// newMigrateCmd returns `scopemig migrate` on the real environment.
func newMigrateCmd() *cobra.Command { return newMigrateCmdEnv(osEnv()) }

// newMigrateCmdEnv returns `scopemig migrate` on env.
//
// It first validates everything — password, store decryption, config parse
// and flag type — and only then runs migrate.Runner: flag check (already
// migrated → "already-done", zero writes, unless --force), discover, one
// atomic transaction on the store, then the flag in the config. A failure
// before the transaction changes nothing; the transaction itself is one
// atomic replace; the flag is written only after the data is durable.
func newMigrateCmdEnv(env cliEnv) *cobra.Command {
	var (
		f     storeFlags
		force bool
	)
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Move a ToolHive store's legacy system keys into their scoped namespaces",
		Long: "migrate moves every legacy system key of a ToolHive encrypted secrets file to its\n" +
			"scoped key (__thv_<scope>_<key>) in one atomic, crash-safe transaction, then sets\n" +
			"secret_scope_migration: true in the ToolHive config. It is one-shot: a second run\n" +
			"does nothing unless --force. Values are never printed, only fingerprints.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, err := env.open(ctx, f)
			if err != nil {
				return err
			}
			fp, err := secrets.NewKeyedFingerprinter(nil)
			if err != nil {
				return err
			}
			r := migrate.Runner{Provider: st.provider, Flag: st.flag, Scheme: secrets.Scheme{}, Policy: f.policy, Force: force, Fingerprinter: fp}
			res, err := r.Run(ctx)
			if err != nil {
				return fmt.Errorf("migrate %s: %w", st.secretsPath, err)
			}
			rep := migrateReport{
				Command: "migrate", Status: res.Status, SecretsFile: st.secretsPath, ConfigFile: st.configPath,
				Policy: f.policy, Forced: res.Forced, Transactional: res.Transactional, FlagWritten: res.FlagWritten,
				Steps: nonNil(res.Steps), Counts: res.Counts,
			}
			out := cmd.OutOrStdout()
			if f.json {
				return writeJSON(out, rep)
			}
			return writeMigrateText(out, rep)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&force, "force", false, "run even if the config says the migration already ran")
	return cmd
}

func writeMigrateText(w io.Writer, rep migrateReport) error {
	switch rep.Status {
	case migrate.StatusAlreadyDone:
		_, err := fmt.Fprintf(w, "already done: %s says the migration already ran; nothing written (use --force to run it again)\n", rep.ConfigFile)
		return err
	case migrate.StatusNotApplicable:
		_, err := fmt.Fprintf(w, "not applicable: %s is read-only; nothing written\n", rep.SecretsFile)
		return err
	}
	if err := writeStepTable(w, rep.Steps); err != nil {
		return err
	}
	c := rep.Counts
	flag := "flag set in " + rep.ConfigFile
	if !rep.FlagWritten {
		// --force on a migrated store: the flag was already set and is not
		// rewritten (issue 12 item 11: never claim a write that did not happen).
		flag = "flag already set in " + rep.ConfigFile + ", not rewritten"
	}
	data := ""
	if c.Total() == 0 {
		data = "; store not rewritten"
	}
	_, err := fmt.Fprintf(w, "migrated (on-conflict=%s): %d legacy keys: %d moved, %d already scoped, %d quarantined, %d dropped%s; %s\n",
		rep.Policy, c.Total(), c.Moved, c.AlreadyScoped, c.Quarantined, c.Dropped, data, flag)
	return err
}
