package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

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
	Seed    uint64 `json:"seed"`
	Depth   int    `json:"depth"`
	Workers int    `json:"workers"`
	OK      bool   `json:"ok"`
	// Inconclusive counts what could not be judged, targets and mutants
	// together (each listed in its report); exit 2 when it is the only
	// failure.
	Inconclusive   int              `json:"inconclusive"`
	CrashStates    int              `json:"crash_states"`
	DistinctImages int              `json:"distinct_images"`
	Seconds        float64          `json:"seconds"`
	Targets        []targetOutput   `json:"targets"`
	Mutants        []mutants.Result `json:"mutants"`
	violated       bool             // a violation, or a mutant escaped
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
		workers int
	)
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Run the whole harness on the built-in providers and the mutant suite",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if seed == 0 {
				seed = 1
			}
			if workers < 0 {
				return fmt.Errorf("-p: %d is not a number of workers (0 means GOMAXPROCS)", workers)
			}
			if err := errors.Join(
				atLeast("--depth", depth, 0, "0: each target's default"),
				atLeast("--checks", checks, 0, "0: the default"),
			); err != nil {
				return err
			}
			if workers == 0 {
				workers = runtime.GOMAXPROCS(0)
			}
			cfg := harness.Config{Seed: seed, Depth: depth, Checks: checks, Workers: workers}
			if verbose {
				cfg.Log = &lockedWriter{w: cmd.ErrOrStderr()}
			}
			out, err := runVerify(cmd.Context(), cfg, target, !noMut)
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("%w: %w", errInconclusive, err) // cancelled: neither a pass nor a violation
			}
			if err != nil {
				return err
			}
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), out); err != nil {
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
	f.IntVarP(&workers, "workers", "p", 0, "goroutines running targets, mutants and each phase's shards (0: GOMAXPROCS); the report is the same for any number")
	return cmd
}

// runVerify verifies the chosen targets and, withMutants, the mutant suite.
// The targets and mutants are jobs run on cfg.Workers goroutines (each
// Verify shards its own phases on as many); the output lists them in the
// fixed order, so it is the same for any number of workers (timings
// aside). Seconds is the wall-clock time of the whole run.
func runVerify(ctx context.Context, cfg harness.Config, target string, withMutants bool) (verifyOutput, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	out := verifyOutput{Seed: cfg.Seed, Depth: cfg.Depth, Workers: max(cfg.Workers, 1), OK: true}
	var names []string
	targets := harness.Targets()
	if name, ok := strings.CutPrefix(target, "mutant:"); ok {
		m, found := mutants.ByName(name)
		if !found {
			return out, fmt.Errorf("unknown mutant %q", name)
		}
		targets, withMutants = []harness.Target{m.Target}, false
	}
	var chosen []harness.Target
	for _, t := range targets {
		names = append(names, t.Name)
		if target == "all" || target == t.Name {
			chosen = append(chosen, t)
		}
	}
	if len(chosen) == 0 {
		return out, fmt.Errorf("unknown target %q (have %s, all)", target, strings.Join(names, ", "))
	}
	var suite []mutants.Mutant
	if withMutants {
		suite = mutants.Suite()
	}
	reps := make([]harness.Report, len(chosen))
	out.Mutants = make([]mutants.Result, len(suite))
	check := func(i int) func() error {
		return func() error {
			out.Mutants[i] = mutants.Check(ctx, suite[i], cfg)
			return nil
		}
	}
	// Jobs start slow mutants first, then the targets, then the other
	// mutants: the slow ones end in a long serial shrink, which must not
	// be what runs alone at the end.
	var g errgroup.Group
	g.SetLimit(out.Workers)
	for i, m := range suite {
		if m.Slow {
			g.Go(check(i))
		}
	}
	for i, t := range chosen {
		g.Go(func() (err error) {
			reps[i], err = harness.Verify(ctx, t, cfg)
			return err
		})
	}
	for i, m := range suite {
		if !m.Slow {
			g.Go(check(i))
		}
	}
	if err := g.Wait(); err != nil {
		return out, err
	}
	for i := range reps {
		cliReplays(&reps[i], cfg)
	}
	for i := range out.Mutants {
		cliMutantReplay(&out.Mutants[i], cfg)
	}
	for _, rep := range reps {
		out.Targets = append(out.Targets, targetOutput{Report: rep, StatesPerSecond: rep.StatesPerSecond()})
		out.CrashStates += rep.CrashStates
		out.DistinctImages += rep.DistinctImages
		out.OK = out.OK && rep.OK()
		out.violated = out.violated || len(rep.Violations) > 0
		out.Inconclusive += len(rep.Inconclusive)
	}
	for _, res := range out.Mutants {
		out.CrashStates += res.CrashStates
		out.DistinctImages += res.DistinctImages
		out.OK = out.OK && res.Caught
		if !res.Caught && len(res.Inconclusive) > 0 {
			out.Inconclusive += len(res.Inconclusive)
		} else {
			out.violated = out.violated || !res.Caught
		}
	}
	out.Seconds = time.Since(start).Seconds()
	return out, nil
}

// lockedWriter serialises the writes of concurrent Verify runs (their
// --verbose lines).
type lockedWriter struct {
	mu sync.Mutex // guards w
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func printVerify(w io.Writer, out verifyOutput) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tCASES\tCRASH STATES\tDISTINCT IMAGES\tSTATES/S\tSECONDS\tVIOLATIONS\tINCONCLUSIVE")
	for _, t := range out.Targets {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%.2f\t%d\t%d\n", t.Target, t.Cases, t.CrashStates, t.DistinctImages, t.StatesPerSecond, t.Seconds, len(t.Violations), len(t.Inconclusive))
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
	fmt.Fprintf(w, "\n%s: seed %d, depth %s, %d crash states (%d distinct images checked) in %.1fs on %d workers\n", verdict, out.Seed, depth, out.CrashStates, out.DistinctImages, out.Seconds, out.Workers)
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
