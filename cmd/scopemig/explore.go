package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness"
)

func newExploreCmd() *cobra.Command {
	var (
		cfg    harness.ExploreConfig
		mode   string
		target string
		asJSON bool
		ex     execFlags
	)
	cmd := &cobra.Command{
		Use:   "explore",
		Short: "Enumerate every crash point of one generated store, per mode",
		Long: `explore generates one store of exactly --keys keys and crashes the migration
at every operation, nested to --depth, in each mode; it prints the crash
states, runs, seconds and states/s per mode. Exit: 0 no violation, 1
violation or error.

With --exec it explores a real command instead (Linux): scopemig explore
--exec --from DIR [--mode process|power|power-partial|all] [--on-conflict
keep|drop] [--json] -- CMD ARGS... records CMD on a fresh copy of DIR
({dir} in ARGS; {self} is this scopemig binary), crashes it at every
file-mutating syscall, and checks every image and every restart against the
model (docs/syscall-explore.md). Exit 0 iff no violation.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if ex.on {
				return runExploreExec(cmd, ex, mode, cfg.Seed, asJSON, args)
			}
			if len(args) > 0 {
				return fmt.Errorf("explore takes no arguments without --exec")
			}
			if err := errors.Join(
				atLeast("--keys", cfg.Keys, 1, "the exact size of the generated store"),
				atLeast("--depth", cfg.Depth, 1, "the crash nesting depth"),
			); err != nil {
				return err
			}
			t, err := resolveTarget(target)
			if err != nil {
				return err
			}
			if mode != "all" {
				m, err := faults.ParseMode(mode)
				if err != nil {
					return fmt.Errorf("--mode: want process, torn, power, power-partial or all: %w", err)
				}
				cfg.Modes = []faults.Mode{m}
			}
			rep, err := harness.Explore(cmd.Context(), t, cfg)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				if err := writeJSON(w, rep); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(w, "%s: %d keys, depth %d, seed %d\n", rep.Target, rep.Keys, rep.Depth, rep.Seed)
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "MODE\tSTATES\tRUNS\tSECONDS\tSTATES/S\tVIOLATION")
				for _, m := range rep.Modes {
					v := m.Violation
					if v == "" {
						v = "-"
					}
					fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.0f\t%s\n", m.Mode, m.States, m.Runs, m.Seconds, m.StatesPerSec, v)
				}
				tw.Flush()
			}
			if !rep.OK() {
				return errSoakFailed
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.Keys, "keys", 8, "exact size of the generated store")
	f.StringVar(&mode, "mode", "all", "crash mode: process, torn, power, power-partial, or all")
	f.IntVar(&cfg.Depth, "depth", 2, "crash nesting depth")
	f.Uint64Var(&cfg.Seed, "seed", 1, "seed of the store")
	f.StringVar(&target, "target", "encfile", "built-in target, or mutant:<name>")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	ex.register(cmd)
	return cmd
}
