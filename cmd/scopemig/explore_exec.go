package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore"
	"github.com/scopemig/scopemig/model"
)

// errExploreFound: the syscall-level explorer found a violation (exit 1).
var errExploreFound = errors.New("explore --exec found a violation")

// execFlags are the flags of `scopemig explore --exec`.
type execFlags struct {
	on          bool
	from        string
	policy      string
	point       int
	subsets     int
	dump        string
	secretsName string
	configName  string
	plaintext   bool
	image       string
	attempts    int
	fs          string
	fullTrace   bool
	workers     int
	killRuns    bool
}

func (f *execFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.on, "exec", false, "syscall-level exploration of the command after -- (Linux): crash it at every file-mutating syscall")
	fl.StringVar(&f.from, "from", "", "--exec: starting store directory; {dir} in the command is a fresh copy of it")
	fl.StringVar(&f.policy, "on-conflict", "keep", "--exec: conflict policy the model is run with: keep or drop")
	fl.IntVar(&f.point, "point", 0, "--exec: explore this crash point (syscall index) only, as printed in a replay line")
	fl.IntVar(&f.subsets, "subsets", 2, "--exec: power-partial draws per crash point (seeds --seed, --seed+1, ...)")
	fl.StringVar(&f.dump, "dump", "", "--exec: command printing the store in {dir} as JSON {\"secrets\":{...},\"migrated\":bool} (default: read ToolHive's encrypted file and config natively)")
	fl.StringVar(&f.secretsName, "secrets-name", "", "--exec: name of the encrypted secrets file in the directory (default secrets_encrypted)")
	fl.StringVar(&f.configName, "config-name", "", "--exec: name of the config file in the directory (default config.yaml)")
	fl.StringVar(&f.image, "image", "", "--exec: re-run until the crash image has this fingerprint (as printed in a replay line)")
	fl.IntVar(&f.attempts, "attempts", 64, "--exec: re-runs allowed for a nondeterministic command before a point is inconclusive")
	fl.IntVar(&f.workers, "workers", 0, "--exec: crash points explored at once (default: every core); the report is the same for any number")
	fl.BoolVar(&f.killRuns, "kill-runs", false, "--exec: crash every process-mode point by a real run killed on entry to it, not by copying the recording's tree there: same crash states, slower")
	fl.BoolVar(&f.fullTrace, "full-trace", false, "--exec: stop the command at every syscall, not only at those the recorder follows (no seccomp filter): same trace, slower")
	fl.BoolVar(&f.plaintext, "plaintext", false, "--exec: the store does not encrypt values (skip I8's plaintext scan)")
	fl.StringVar(&f.fs, "fs", "strict", "--exec: persistence model of the power modes: strict (POSIX), ext4-ordered (data=ordered, auto_da_alloc) or both")
}

// runExploreExec runs `scopemig explore --exec`.
func runExploreExec(cmd *cobra.Command, f execFlags, mode string, seed uint64, asJSON bool, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("explore --exec needs a command after --")
	}
	if f.from == "" {
		return fmt.Errorf("%w: explore --exec needs --from DIR (the starting store)", sysexplore.ErrBadConfig)
	}
	if f.workers < 0 {
		return fmt.Errorf("--workers %d: want 0 (every core) or more", f.workers)
	}
	var modes []faults.Mode // nil: sysexplore.Modes()
	if mode != "all" {
		m, err := faults.ParseMode(mode)
		if err != nil {
			return fmt.Errorf("--mode: want process, power, power-partial or all: %w", err)
		}
		modes = []faults.Mode{m} // torn: refused by Explore (ErrBadConfig)
	}
	policy, err := model.ParsePolicy(f.policy)
	if err != nil {
		return err
	}
	fsms, err := sysexplore.ParseFS(f.fs)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "{self}", self)
	}
	cfg := sysexplore.Config{
		From: f.from, Argv: args, Modes: modes, Policy: policy, Seed: seed,
		Subsets: f.subsets, Point: f.point, FS: fsms, Plaintext: f.plaintext, ImageID: f.image, Attempts: f.attempts,
		FullTrace: f.fullTrace, Workers: f.workers, KillRuns: f.killRuns,
		Layout:   sysexplore.Layout{SecretsFile: f.secretsName, ConfigFile: f.configName},
		Password: os.Getenv(PasswordEnvVar), Replay: execReplay,
	}
	if f.dump != "" {
		cfg.Dump = strings.Fields(f.dump)
		for i, a := range cfg.Dump {
			cfg.Dump[i] = strings.ReplaceAll(a, "{self}", self)
		}
	}
	rep, err := sysexplore.Explore(cmd.Context(), cfg)
	if err != nil {
		return err
	}
	if !f.fullTrace && rep.Tracing != "seccomp" {
		// Said once: the exploration is as exact, only slower.
		fmt.Fprintf(cmd.ErrOrStderr(), "scopemig: no seccomp filter, tracing every syscall (slower): %s\n", rep.Tracing)
	}
	w := cmd.OutOrStdout()
	if asJSON {
		if err := writeJSON(w, rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "%s: %d crash points (trace %s), policy %s\n", strings.Join(rep.Command, " "), rep.Points, rep.TraceID, rep.Policy)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MODE\tFS\tPOINTS\tDISTINCT IMAGES\tSECONDS\tPOINTS/S")
		for _, m := range rep.Modes {
			fs := m.FS
			if fs == "" {
				fs = "kernel"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.2f\t%.1f\n", m.Mode, fs, m.States, m.Images, m.Seconds, m.StatesPerSec)
		}
		tw.Flush()
		for _, v := range rep.Violations {
			mode := v.Mode.String()
			if v.FS != "" {
				mode += " " + string(v.FS)
			}
			fmt.Fprintf(w, "VIOLATION %s %s (%s, point %d, %d points): %s\n  at %s\n", v.Invariant, v.Name, mode, v.Point, v.Count, v.Detail, v.Syscall)
			if v.Verdict != "" {
				fmt.Fprintf(w, "  %s\n", v.Verdict)
			}
			if v.Source != "" {
				fmt.Fprintf(w, "  in %s\n", v.Source)
			}
			fmt.Fprintf(w, "  replay: %s\n", v.Replay)
		}
		if rep.Diverged > 0 {
			fmt.Fprintf(w, "%d process-mode runs reached their crash point by another path than the recording (nondeterministic command); each is named by its own path in replay lines\n", rep.Diverged)
		}
		for _, s := range rep.Inconclusive {
			fmt.Fprintf(w, "INCONCLUSIVE %s\n", s)
		}
		if rep.OK() {
			fmt.Fprintln(w, "no violation")
		}
	}
	if !rep.OK() {
		return errExploreFound
	}
	return nil
}
