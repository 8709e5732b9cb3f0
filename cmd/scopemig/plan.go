package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
)

// planReport is the stable JSON output of `scopemig plan --json`
// (documented in docs/cli.md).
type planReport struct {
	Command         string         `json:"command"`
	SecretsFile     string         `json:"secrets_file"`
	ConfigFile      string         `json:"config_file"`
	Policy          migrate.Policy `json:"policy"`
	AlreadyMigrated bool           `json:"already_migrated"`
	Steps           []migrate.Step `json:"steps"`
	Counts          migrate.Counts `json:"counts"`
	// Leftovers are stale files next to the store (a crashed write's temp
	// file): reported, never removed (plan never writes).
	Leftovers []string `json:"leftovers"`
	// ForeignTempFiles are the Leftovers that a crashed write cannot have
	// left (a symlink, a hard link, a FIFO at the temp name): migrate
	// refuses to run until they are removed.
	ForeignTempFiles []string `json:"foreign_temp_files"`
	// MigrateRefusals are why migrate would refuse this store (each message
	// says what to do), found by running migrate's checks on the snapshot
	// (migrateRefusals); empty when it would run.
	MigrateRefusals []string `json:"migrate_refusals"`
	// foreignKinds says what each foreign file is ("a directory", …).
	foreignKinds map[string]string
}

// newPlanCmd returns `scopemig plan` on the real environment.
func newPlanCmd() *cobra.Command { return newPlanCmdEnv(osEnv()) }

// newPlanCmdEnv returns `scopemig plan` on env: a dry run that reads and
// decrypts the store once (encfile.Inspect), reads the flag, and prints what
// migrate would do, computed on that in-memory snapshot: O(N) for N keys.
// The steps come from migrate itself rehearsed on the snapshot
// (rehearseMigration: every check migrate runs, nothing written), which
// also says why migrate would refuse the store.
// It never writes, not even the stale temp file a crashed writer left
// (reported as a leftover instead), so it works on a read-only directory.
func newPlanCmdEnv(env cliEnv) *cobra.Command {
	var f storeFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what migrate would do to a ToolHive store (dry run, writes nothing)",
		Long: "plan decrypts a ToolHive encrypted secrets file and lists every legacy system key\n" +
			"with the scoped key it would move to and the outcome (moved, already-scoped,\n" +
			"conflict-quarantined, conflict-dropped). Values are never printed, only fingerprints.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, err := env.readOnly().open(ctx, f)
			if err != nil {
				return err
			}
			refusals, steps, rehearsed := env.rehearseMigration(ctx, f, st)
			plan := migrate.Plan{Steps: steps}
			if !rehearsed { // refused before its transaction: plan on the snapshot
				r := migrate.Runner{Provider: st.provider, Scheme: secrets.Scheme{}, Policy: f.policy, Fingerprinter: st.fp}
				if plan, err = r.Plan(ctx); err != nil {
					return fmt.Errorf("plan %s: %w", st.secretsPath, err)
				}
			}
			rep := planReport{
				Command: "plan", SecretsFile: st.secretsPath, ConfigFile: st.configPath,
				Policy: f.policy, AlreadyMigrated: st.migrated,
				Steps: nonNil(plan.Steps), Counts: plan.Counts(), Leftovers: []string{},
			}
			rep.Leftovers = append(rep.Leftovers, leftoversOf(st.provider)...)
			if st.configPath != "" {
				// The config's temp file too (a crashed flag write): reported,
				// never removed; the next migrate's flag write removes it.
				// A config symlink's temp file is next to its target.
				cfgFile := st.configPath
				if res, err := atomicfile.Resolve(env.fs, cfgFile); err == nil {
					cfgFile = res.Target
				}
				tmp := atomicfile.TempName(cfgFile)
				if _, err := lstatFs(env.fs, tmp); err == nil {
					rep.Leftovers = append(rep.Leftovers, tmp)
				}
			}
			rep.ForeignTempFiles, rep.foreignKinds = foreignFiles(env.fs, rep.Leftovers)
			rep.MigrateRefusals = refusals
			out := cmd.OutOrStdout()
			if f.json {
				return writeJSON(out, rep)
			}
			return writePlanText(out, rep)
		},
	}
	f.register(cmd)
	return cmd
}

func writePlanText(w io.Writer, rep planReport) error {
	if err := writeStepTable(w, rep.Steps); err != nil {
		return err
	}
	c := rep.Counts
	_, err := fmt.Fprintf(w, "plan (on-conflict=%s): %d legacy keys: %d to move, %d already scoped, %d to quarantine, %d to drop; nothing written\n",
		rep.Policy, c.Total(), c.Moved, c.AlreadyScoped, c.Quarantined, c.Dropped)
	for _, l := range rep.Leftovers {
		if err != nil {
			break
		}
		if slices.Contains(rep.ForeignTempFiles, l) {
			_, err = fmt.Fprintf(w, "foreign file: %s is %s, not a temp file scopemig wrote; migrate refuses to run until it is removed\n", displayKey(l), rep.foreignKinds[l])
			continue
		}
		_, err = fmt.Fprintf(w, "leftover: %s (temp file of an interrupted write; not removed: plan never writes; the next migrate removes it)\n", displayKey(l))
	}
	if err == nil && rep.AlreadyMigrated {
		_, err = fmt.Fprintf(w, "note: %s says the migration already ran; migrate will do nothing without --force\n", rep.ConfigFile)
	}
	would := "migrate would refuse"
	if rep.AlreadyMigrated {
		would = "migrate --force would refuse"
	}
	for _, r := range rep.MigrateRefusals {
		if err != nil {
			break
		}
		_, err = fmt.Fprintf(w, "%s: %s\n", would, r)
	}
	return err
}

// lstatFs is Lstat where fsys supports it, else Stat.
func lstatFs(fsys afero.Fs, name string) (os.FileInfo, error) {
	if ls, ok := fsys.(afero.Lstater); ok {
		fi, _, err := ls.LstatIfPossible(name)
		return fi, err
	}
	return fsys.Stat(name)
}

// readOnly returns e with a store opener that never writes: the store is
// read and decrypted once into an encfile.Snapshot, and a stale temp file
// is reported instead of removed.
func (e cliEnv) readOnly() cliEnv {
	if e.openStore != nil {
		e.openStore = inspectEncFile
	}
	return e
}

// inspectEncFile is the read-only storeOpenFunc of plan and legacy list.
func inspectEncFile(ctx context.Context, fsys afero.Fs, path string, password []byte) (secrets.Provider, error) {
	return encfile.Inspect(ctx, fsys, path, password)
}

// writeStepTable prints one row per step: key, target, outcome (with the
// quarantine key and value fingerprint). Values are never printed.
func writeStepTable(w io.Writer, steps []migrate.Step) error {
	if len(steps) == 0 {
		_, err := fmt.Fprintln(w, "no legacy keys")
		return err
	}
	// Buffered: tabwriter writes cell by cell, one system call each on an
	// unbuffered stdout (a 2,000-key table cost more than the plan itself).
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tTARGET\tOUTCOME\tVALUE")
	for _, s := range steps {
		outcome := string(s.Outcome)
		if s.Quarantine != "" {
			outcome += " -> " + displayKey(s.Quarantine)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", displayKey(s.Key), displayKey(s.Target), outcome, s.Fingerprint)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// displayKey quotes (strconv.Quote) a key that would not read as itself in
// a table or a message: one that holds control or non-printable characters
// (keys are not secret, but they must not garble the terminal), that is
// empty, that starts or ends with a space (BEARER_TOKEN_ and
// "BEARER_TOKEN_ " would look identical), or that starts with a double
// quote (it would look like a quoted key). Every other key is printed as is.
func displayKey(k string) string {
	if k == "" || strings.HasPrefix(k, `"`) {
		return strconv.Quote(k)
	}
	first, _ := utf8.DecodeRuneInString(k)
	last, _ := utf8.DecodeLastRuneInString(k)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return strconv.Quote(k)
	}
	for _, r := range k {
		if !unicode.IsPrint(r) || r == '\t' {
			return strconv.Quote(k)
		}
	}
	return k
}

// writeJSON prints v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// nonNil returns steps, or an empty slice for nil (JSON "[]", not null).
func nonNil(steps []migrate.Step) []migrate.Step {
	if steps == nil {
		return []migrate.Step{}
	}
	return steps
}
