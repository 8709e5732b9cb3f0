package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
)

// errNotTransactional reports a store backend that cannot run restore or
// drop as one atomic transaction.
var errNotTransactional = errors.New("store cannot run an atomic transaction")

// legacyFlags are the flags of the legacy subcommands: the store and its
// password (no config: the quarantine lives in the store alone).
type legacyFlags struct {
	secretsFile  string
	passwordFile string
	json         bool
	lockTimeout  time.Duration
	stderr       func() io.Writer // where lock waits are announced
}

// lockContext is storeFlags.lockContext: the same wait notice and
// --lock-timeout as plan and migrate.
func (f legacyFlags) lockContext(ctx context.Context) context.Context {
	return storeFlags{lockTimeout: f.lockTimeout, stderr: f.stderr}.lockContext(ctx)
}

func (f *legacyFlags) register(cmd *cobra.Command) {
	f.stderr = cmd.ErrOrStderr
	fl := cmd.Flags()
	f.lockTimeout = defaultLockTimeout
	fl.Var((*lockTimeout)(&f.lockTimeout), "lock-timeout", "give up (exit 1) when a lock held by another process is not granted within this time; 0 waits forever")
	fl.StringVar(&f.secretsFile, "secrets-file", "", "encrypted secrets file (default $XDG_DATA_HOME/"+defaultSecretsRel+")")
	fl.StringVar(&f.passwordFile, "password-file", "", "file holding the store password (mode 0600; default: $"+PasswordEnvVar+")")
	fl.BoolVar(&f.json, "json", false, "print a JSON report (fields documented in docs/cli.md)")
}

// legacyListReport is the stable JSON output of `scopemig legacy list --json`.
type legacyListReport struct {
	Command     string                    `json:"command"`
	SecretsFile string                    `json:"secrets_file"`
	Entries     []migrate.QuarantineEntry `json:"entries"`
	Leftovers   []string                  `json:"leftovers"`
	// ForeignTempFiles are the Leftovers that a crashed write cannot have
	// left (a symlink, a hard link, a directory or a FIFO at the temp name):
	// restore, drop and migrate refuse to run until they are removed.
	ForeignTempFiles []string `json:"foreign_temp_files"`
	// foreignKinds says what each foreign file is ("a directory", …).
	foreignKinds map[string]string
}

// legacyRestoreReport is the stable JSON output of `scopemig legacy restore --json`.
type legacyRestoreReport struct {
	Command     string                `json:"command"`
	SecretsFile string                `json:"secrets_file"`
	Result      migrate.RestoreResult `json:"result"`
}

// legacyDropReport is the stable JSON output of `scopemig legacy drop --json`.
type legacyDropReport struct {
	Command     string                  `json:"command"`
	SecretsFile string                  `json:"secrets_file"`
	Dropped     migrate.QuarantineEntry `json:"dropped"`
}

// newLegacyCmd returns `scopemig legacy` on the real environment.
func newLegacyCmd() *cobra.Command { return newLegacyCmdEnv(osEnv()) }

// newLegacyCmdEnv returns `scopemig legacy list|restore|drop` on env.
func newLegacyCmdEnv(env cliEnv) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "legacy",
		Short: "Inspect and recover the values a migration quarantined (__thv_legacy_…)",
		Long: "A legacy value whose scoped key already held a different value is kept under a\n" +
			"quarantine key (__thv_legacy_<key>, then #2, #3, …; a '#' in the key is doubled),\n" +
			"which ToolHive's user view hides. legacy list shows them, legacy restore puts one\n" +
			"back into use, legacy drop deletes one. Values are never printed, only fingerprints\n" +
			"keyed by the store's password (the same as plan and migrate print).",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.AddCommand(newLegacyListCmd(env), newLegacyRestoreCmd(env), newLegacyDropCmd(env))
	return cmd
}

// legacyStore is a store opened by a legacy subcommand, with its keyed
// fingerprinter (derived from the password: the fingerprints plan and
// migrate print for the same values).
type legacyStore struct {
	path     string
	provider secrets.Provider
	fp       secrets.Fingerprinter
}

// openLegacyStore resolves the store path, reads the password and opens the
// store with open (read-only or read-write).
func (e cliEnv) openLegacyStore(ctx context.Context, f legacyFlags, open storeOpenFunc) (legacyStore, error) {
	path, _, err := e.paths(storeFlags{secretsFile: f.secretsFile, configFile: os.DevNull})
	if err != nil {
		return legacyStore{}, err
	}
	password, err := e.password(f.passwordFile)
	if err != nil {
		return legacyStore{}, err
	}
	if open == nil {
		return legacyStore{}, errNoBackend
	}
	if err := e.checkStorePath(path); err != nil {
		return legacyStore{}, err
	}
	p, err := open(ctx, e.fs, path, password)
	if err != nil {
		return legacyStore{}, err
	}
	fp, err := encfile.NewFingerprinter(password)
	if err != nil {
		return legacyStore{}, err
	}
	return legacyStore{path: path, provider: p, fp: fp}, nil
}

func newLegacyListCmd(env cliEnv) *cobra.Command {
	var f legacyFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every quarantine key with its original key, slot and a fingerprint (writes nothing)",
		Long: "list reads and decrypts the store once and shows every quarantine key, the legacy\n" +
			"key and slot it stands for, the scoped key restore would put it back under, and\n" +
			"fingerprints of the quarantined value and of that scoped key's current value\n" +
			"(equal fingerprints mean equal values; the same as plan and migrate print for the\n" +
			"store). It never writes.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := f.lockContext(cmd.Context())
			ro := env.readOnly()
			st, err := ro.openLegacyStore(ctx, f, ro.openStore)
			if err != nil {
				return err
			}
			path, p := st.path, st.provider
			entries, err := migrate.ListQuarantine(ctx, p, secrets.Scheme{}, st.fp)
			if err != nil {
				return fmt.Errorf("legacy list %s: %w", path, err)
			}
			rep := legacyListReport{Command: "legacy list", SecretsFile: path, Entries: entries, Leftovers: leftoversOf(p)}
			rep.ForeignTempFiles, rep.foreignKinds = foreignFiles(env.fs, rep.Leftovers)
			if f.json {
				return writeJSON(cmd.OutOrStdout(), rep)
			}
			return writeLegacyList(cmd.OutOrStdout(), rep)
		},
	}
	f.register(cmd)
	return cmd
}

func writeLegacyList(w io.Writer, rep legacyListReport) error {
	if len(rep.Entries) == 0 {
		if _, err := fmt.Fprintf(w, "no quarantined values in %s\n", rep.SecretsFile); err != nil {
			return err
		}
		return writeLegacyLeftovers(w, rep)
	}
	bw := bufio.NewWriter(w) // tabwriter writes cell by cell
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tORIGINAL\tSLOT\tRESTORES TO\tVALUE\tCURRENT VALUE THERE")
	for _, e := range rep.Entries {
		orig, slot, target, cur := "?", "?", "(needs --as)", "-"
		if e.Parsed {
			orig, slot = displayKey(e.Original), fmt.Sprint(e.Slot)
		}
		if e.Target != "" {
			target = displayKey(e.Target)
			cur = "(absent)"
		}
		if e.TargetFingerprint != "" {
			cur = e.TargetFingerprint
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", displayKey(e.Key), orig, slot, target, e.Fingerprint, cur)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	noun := "quarantined values"
	if len(rep.Entries) == 1 {
		noun = "quarantined value"
	}
	if _, err := fmt.Fprintf(w, "%d %s; put one back with: scopemig legacy restore KEY [--as NAME] (or ORIGINAL, when it has one slot)\n", len(rep.Entries), noun); err != nil {
		return err
	}
	return writeLegacyLeftovers(w, rep)
}

// writeLegacyLeftovers prints one line per entry at the store's temp name,
// telling a crashed write's temp file from a planted one as plan does.
func writeLegacyLeftovers(w io.Writer, rep legacyListReport) error {
	for _, l := range rep.Leftovers {
		msg := fmt.Sprintf("leftover: %s (temp file of an interrupted write; not removed: this command never writes; the next restore, drop or migrate removes it)\n", displayKey(l))
		if slices.Contains(rep.ForeignTempFiles, l) {
			msg = fmt.Sprintf("foreign file: %s is %s, not a temp file scopemig wrote; restore, drop and migrate refuse to run until it is removed\n", displayKey(l), rep.foreignKinds[l])
		}
		if _, err := io.WriteString(w, msg); err != nil {
			return err
		}
	}
	return nil
}

// openLegacyWriter opens the store read-write for restore and drop, with
// its keyed fingerprinter.
func (e cliEnv) openLegacyWriter(ctx context.Context, f legacyFlags) (string, secrets.Updater, secrets.Fingerprinter, error) {
	st, err := e.openLegacyStore(ctx, f, e.openStore)
	if err != nil {
		return "", nil, secrets.Fingerprinter{}, err
	}
	u, ok := st.provider.(secrets.Updater)
	if !ok {
		return "", nil, secrets.Fingerprinter{}, fmt.Errorf("%w: %s", errNotTransactional, st.path)
	}
	return st.path, u, st.fp, nil
}

func newLegacyRestoreCmd(env cliEnv) *cobra.Command {
	var (
		f  legacyFlags
		as string
	)
	cmd := &cobra.Command{
		Use:   "restore KEY",
		Short: "Put a quarantined value back into use (one locked, atomic write)",
		Long: "restore moves the value of the quarantine key KEY to the scoped key its legacy key\n" +
			"(KEY may also be the ORIGINAL key legacy list shows, when one slot holds its value;\n" +
			"with several slots, restore lists them and changes nothing: name one)\n" +
			"migrates to, or to NAME with --as. If that scoped key holds a different value, the\n" +
			"two change places: that value is quarantined under the next free slot, so nothing is\n" +
			"lost. An --as NAME that holds a different value is refused. One locked read-modify-\n" +
			"write and one atomic replace of the store: a crash leaves it before or after.",
		Args:          cobra.ExactArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			defer func() { err = explainNoSpace(err) }()
			defer exitOnInterrupt(cmd.ErrOrStderr(), "legacy restore", legacyInterrupted)()
			ctx := f.lockContext(cmd.Context())
			path, u, fp, err := env.openLegacyWriter(ctx, f)
			if err != nil {
				return err
			}
			res, err := migrate.RestoreQuarantined(ctx, u, secrets.Scheme{}, args[0], as, fp)
			if err != nil {
				return fmt.Errorf("legacy restore %s: %w", path, err)
			}
			if f.json {
				return writeJSON(cmd.OutOrStdout(), legacyRestoreReport{Command: "legacy restore", SecretsFile: path, Result: res})
			}
			w := cmd.OutOrStdout()
			_, err = fmt.Fprintf(w, "restored %s (%s%s) to %s\n", displayKey(res.Entry.Key), res.Entry.Fingerprint, slotOf(args[0], res.Entry), displayKey(res.Destination))
			if err == nil && res.Displaced != "" {
				_, err = fmt.Fprintf(w, "the value %s held before (%s) is now quarantined under %s\n", displayKey(res.Destination), res.DisplacedFingerprint, displayKey(res.Displaced))
			}
			return err
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&as, "as", "", "store the value under this key instead of the original key's scoped key (must be free or hold the same value)")
	return cmd
}

func newLegacyDropCmd(env cliEnv) *cobra.Command {
	var f legacyFlags
	cmd := &cobra.Command{
		Use:   "drop KEY",
		Short: "Delete a quarantined value for good (one locked, atomic write)",
		Long: "drop deletes the quarantine key KEY and its value: the value is gone. KEY may also\n" +
			"be the ORIGINAL key legacy list shows, when one slot holds its value. One locked\n" +
			"read-modify-write and one atomic replace of the store: a crash leaves it before or after.",
		Args:          cobra.ExactArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			defer func() { err = explainNoSpace(err) }()
			defer exitOnInterrupt(cmd.ErrOrStderr(), "legacy drop", legacyInterrupted)()
			ctx := f.lockContext(cmd.Context())
			path, u, fp, err := env.openLegacyWriter(ctx, f)
			if err != nil {
				return err
			}
			e, err := migrate.DropQuarantined(ctx, u, secrets.Scheme{}, args[0], fp)
			if err != nil {
				return fmt.Errorf("legacy drop %s: %w", path, err)
			}
			if f.json {
				return writeJSON(cmd.OutOrStdout(), legacyDropReport{Command: "legacy drop", SecretsFile: path, Dropped: e})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "dropped %s (%s%s)\n", displayKey(e.Key), e.Fingerprint, slotOf(args[0], e))
			return err
		},
	}
	f.register(cmd)
	return cmd
}

// slotOf says which slot an original key given on the command line named
// ("; slot 1 of KEY, its only quarantined value"), or "" when the
// quarantine key itself was given.
func slotOf(arg string, e migrate.QuarantineEntry) string {
	if arg == e.Key || !e.Parsed {
		return ""
	}
	return fmt.Sprintf("; slot %d of %s, its only quarantined value", e.Slot, displayKey(e.Original))
}

// leftoversOf returns the leftovers of a read-only snapshot (none for any
// other provider), never nil.
func leftoversOf(p secrets.Provider) []string {
	out := []string{}
	if s, ok := p.(interface{ Leftovers() []string }); ok {
		out = append(out, s.Leftovers()...)
	}
	return out
}
