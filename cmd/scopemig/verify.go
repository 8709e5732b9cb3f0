package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
)

// errVerifyFailed is returned when a target has a violation or a mutant
// escaped: exit 1.
var errVerifyFailed = errors.New("verification failed")

// errInconclusive is returned when no violation was found and every mutant
// was caught, but some case could not be judged (a target error, a panic,
// cancellation, a checker timeout): exit 2.
var errInconclusive = errors.New("verification inconclusive")

// verifyOutput is the --json document of `scopemig verify` (docs/cli.md).
type verifyOutput struct {
	Seed  uint64 `json:"seed"`
	Depth int    `json:"depth"`
	OK    bool   `json:"ok"`
	// Inconclusive counts what could not be judged, targets and mutants
	// together (each listed in its report); exit 2 when it is the only
	// failure.
	Inconclusive int              `json:"inconclusive"`
	CrashStates  int              `json:"crash_states"`
	Seconds      float64          `json:"seconds"`
	Targets      []targetOutput   `json:"targets"`
	Mutants      []mutants.Result `json:"mutants"`
	violated     bool             // a violation, or a mutant escaped
}

type targetOutput struct {
	harness.Report
	StatesPerSecond float64 `json:"states_per_second"`
}

func newVerifyCmd() *cobra.Command {
	var (
		asJSON  bool
		seed    uint64
		depth   int
		checks  int
		target  string
		noMut   bool
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Run the whole harness on the built-in providers and the mutant suite",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if seed == 0 {
				seed = 1
			}
			cfg := harness.Config{Seed: seed, Depth: depth, Checks: checks}
			if verbose {
				cfg.Log = cmd.ErrOrStderr()
			}
			out, err := runVerify(cmd.Context(), cfg, target, !noMut)
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("%w: %w", errInconclusive, err) // cancelled: neither a pass nor a violation
			}
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return err
				}
			} else {
				printVerify(cmd.OutOrStdout(), out)
			}
			switch {
			case out.violated:
				return errVerifyFailed
			case out.Inconclusive > 0:
				return errInconclusive
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	f.Uint64Var(&seed, "seed", 1, "seed of every random choice")
	f.IntVar(&depth, "depth", 0, "crash nesting depth of the exhaustive sweeps (0: each target's default, 2 for encfile)")
	f.IntVar(&checks, "checks", 0, "rapid cases per property (0: default)")
	f.StringVar(&target, "target", "all", "built-in target to verify (name, or all)")
	f.BoolVar(&noMut, "no-mutants", false, "skip the mutant suite")
	f.BoolVar(&verbose, "verbose", false, "log each phase on stderr")
	return cmd
}

func runVerify(ctx context.Context, cfg harness.Config, target string, withMutants bool) (verifyOutput, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	out := verifyOutput{Seed: cfg.Seed, Depth: cfg.Depth, OK: true}
	var names []string
	targets := harness.Targets()
	if name, ok := strings.CutPrefix(target, "mutant:"); ok {
		m, found := mutants.ByName(name)
		if !found {
			return out, fmt.Errorf("unknown mutant %q", name)
		}
		targets, withMutants = []harness.Target{m.Target}, false
	}
	for _, t := range targets {
		names = append(names, t.Name)
		if target != "all" && target != t.Name {
			continue
		}
		rep, err := harness.Verify(ctx, t, cfg)
		if err != nil {
			return out, err
		}
		out.Targets = append(out.Targets, targetOutput{Report: rep, StatesPerSecond: rep.StatesPerSecond()})
		out.CrashStates += rep.CrashStates
		out.Seconds += rep.Seconds
		out.OK = out.OK && rep.OK()
		out.violated = out.violated || len(rep.Violations) > 0
		out.Inconclusive += len(rep.Inconclusive)
	}
	if len(out.Targets) == 0 {
		return out, fmt.Errorf("unknown target %q (have %s, all)", target, strings.Join(names, ", "))
	}
	if withMutants {
		for _, m := range mutants.Suite() {
			res := mutants.Check(ctx, m, cfg)
			out.Mutants = append(out.Mutants, res)
			out.CrashStates += res.CrashStates
			out.Seconds += res.Seconds
			out.OK = out.OK && res.Caught
			if !res.Caught && len(res.Inconclusive) > 0 {
				out.Inconclusive += len(res.Inconclusive)
			} else {
				out.violated = out.violated || !res.Caught
			}
		}
	}
	return out, nil
}

func printVerify(w io.Writer, out verifyOutput) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tCASES\tCRASH STATES\tSTATES/S\tSECONDS\tVIOLATIONS\tINCONCLUSIVE")
	for _, t := range out.Targets {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%.2f\t%d\t%d\n", t.Target, t.Cases, t.CrashStates, t.StatesPerSecond, t.Seconds, len(t.Violations), len(t.Inconclusive))
	}
	tw.Flush()
	for _, t := range out.Targets {
		for _, v := range t.Violations {
			fmt.Fprintf(w, "\n%s: %s\n", t.Target, v)
		}
		for _, i := range t.Inconclusive {
			fmt.Fprintf(w, "\n%s: %s\n", t.Target, i)
		}
	}
	if len(out.Mutants) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MUTANT\tCAUGHT\tINVARIANT\tEXPECTED\tKEYS\tCRASH POINTS\tSTEPS\tSECONDS")
		for _, m := range out.Mutants {
			fmt.Fprintf(tw, "%s\t%v\t%s\t%s\t%d\t%s\t%d\t%.2f\n", m.Name, m.Caught, m.Invariant, m.Expect, m.Keys, crashPoints(m.CrashPoints), m.CounterexampleSize, m.Seconds)
		}
		tw.Flush()
		for _, m := range out.Mutants {
			for _, i := range m.Inconclusive {
				fmt.Fprintf(w, "\nmutant %s: %s\n", m.Name, i)
			}
		}
	}
	verdict := "OK"
	switch {
	case out.violated:
		verdict = "FAILED"
	case out.Inconclusive > 0:
		verdict = fmt.Sprintf("INCONCLUSIVE (%d cases could not be judged)", out.Inconclusive)
	}
	depth := "each target's default"
	if out.Depth > 0 {
		depth = fmt.Sprint(out.Depth)
	}
	fmt.Fprintf(w, "\n%s: seed %d, depth %s, %d crash states in %.1fs\n", verdict, out.Seed, depth, out.CrashStates, out.Seconds)
}

// crashPoints prints the crash points of a counterexample: "-" for none
// (a complete run fails), else the operation index of each faulty run.
func crashPoints(ps []int) string {
	if len(ps) == 0 {
		return "-"
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("op %d", p)
	}
	return strings.Join(out, ", ")
}
