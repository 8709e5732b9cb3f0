package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/impl/migrate"
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
	// FlagSet: the config's secret_scope_migration is true after this run
	// (false with --no-flag, and when the flag write failed).
	FlagSet bool `json:"flag_set"`
}

// newMigrateCmd returns `scopemig migrate` on the real environment.
func newMigrateCmd() *cobra.Command { return newMigrateCmdEnv(osEnv()) }

// newMigrateCmdEnv returns `scopemig migrate` on env.
//
// It first validates everything — the --secrets-file/--config rule,
// password, store decryption, config parse and flag type — and only then
// runs migrate.Runner: flag check (already migrated → "already-done", zero
// writes, unless --force), discover, preflight of the config (its
// directory, file, temp name and lock file can be written), one atomic
// transaction on the store, then the flag in the config. A failure before
// the transaction changes nothing; the transaction itself is one atomic
// replace; the flag is written only after the data is durable. If that
// last write fails, the report (status "store-migrated-flag-not-set") is
// printed and the command exits 1 saying the store is migrated, the flag
// not set, and re-running is safe.
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
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			defer func() { err = explainNoSpace(err) }()
			defer exitOnInterrupt(cmd.ErrOrStderr(), "migrate", migrateInterrupted)()
			if err := env.checkFlagTarget(f); err != nil {
				return err
			}
			ctx := f.lockContext(cmd.Context())
			st, err := env.open(ctx, f)
			if err != nil {
				return err
			}
			res, err := runMigration(ctx, env, f, st, force, st.provider, st.flag)
			if err != nil && !errors.Is(err, migrate.ErrFlagNotSet) {
				return fmt.Errorf("migrate %s: %w", st.secretsPath, err)
			}
			rep := migrateReport{
				Command: "migrate", Status: res.Status, SecretsFile: st.secretsPath, ConfigFile: st.configPath,
				Policy: f.policy, Forced: res.Forced, Transactional: res.Transactional, FlagWritten: res.FlagWritten,
				Steps: nonNil(res.Steps), Counts: res.Counts,
				FlagSet: st.flag != nil && err == nil && res.Status != migrate.StatusNotApplicable,
			}
			out := cmd.OutOrStdout()
			if f.json {
				if werr := writeJSON(out, rep); werr != nil {
					return werr
				}
			} else if werr := writeMigrateText(out, rep); werr != nil {
				return werr
			}
			if err != nil { // the data is migrated; the flag is not set
				return fmt.Errorf("migrate %s: %w", st.secretsPath, err)
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&force, "force", false, "run even if the config says the migration already ran")
	cmd.Flags().BoolVar(&f.noFlag, "no-flag", false, "migrate the data only: read and write no config (for a copy of a store; excludes --config)")
	return cmd
}

// preflightStore checks, writing nothing, that the store and ToolHive's
// lock file next to it can be written as they are (a regular file whose
// owner is kept, a free or leftover temp name, a writable directory, a
// regular lock file): the first write of a migration (creating the lock
// file) then cannot be followed by a refusal.
//
// A store that is a symlink is checked as encfile writes it: the link
// (atomicfile.Resolve), its target, and the link's directory, where the
// lock file goes.
func preflightStore(fsys afero.Fs, path string) error {
	res, err := atomicfile.Resolve(fsys, path)
	if err != nil {
		return fmt.Errorf("the store cannot be rewritten: %w", err)
	}
	if err := atomicfile.Preflight(fsys, res.Target); err != nil {
		return fmt.Errorf("the store cannot be rewritten; nothing changed: %w", err)
	}
	if res.IsLink() {
		if err := atomicfile.PreflightDir(fsys, filepath.Dir(res.Path)); err != nil {
			return fmt.Errorf("the store cannot be rewritten; nothing changed: %w", err)
		}
	}
	if err := fslock.PreflightFile(fsys, path+encfile.LockFileSuffix); err != nil {
		return fmt.Errorf("the store cannot be rewritten; nothing changed: %w", err)
	}
	return nil
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
	status, flag := "migrated", "flag set in "+rep.ConfigFile
	switch {
	case rep.ConfigFile == "":
		flag = "no config read or written (--no-flag)"
	case rep.Status == migrate.StatusFlagNotSet:
		status, flag = "store migrated", "flag NOT set in "+rep.ConfigFile+" (re-running is safe)"
	case !rep.FlagWritten:
		// --force on a migrated store: the flag was already set and is not
		// rewritten (never claim a write that did not happen).
		flag = "flag already set in " + rep.ConfigFile + ", not rewritten"
	}
	data := ""
	if c.Total() == 0 {
		data = "; store not rewritten"
	}
	_, err := fmt.Fprintf(w, "%s (on-conflict=%s): %d legacy keys: %d moved, %d already scoped, %d quarantined, %d dropped%s; %s\n",
		status, rep.Policy, c.Total(), c.Moved, c.AlreadyScoped, c.Quarantined, c.Dropped, data, flag)
	return err
}
