package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
	"github.com/scopemig/scopemig/internal/realsoak"
)

// Errors of soak, replay and explore (exit 1).
var (
	errSoakFailed    = errors.New("soak found a violation")
	errReproduced    = errors.New("failure reproduced")
	errUnknownTarget = errors.New("unknown target")
	errBadShard      = errors.New("bad --shard, want i/n with 0 <= i < n")
)

// resolveTarget returns the built-in target called name, or the mutant
// called x for "mutant:x".
func resolveTarget(name string) (harness.Target, error) {
	if m, ok := strings.CutPrefix(name, "mutant:"); ok {
		mu, found := mutants.ByName(m)
		if !found {
			return harness.Target{}, fmt.Errorf("%w: no mutant %q", errUnknownTarget, m)
		}
		return mu.Target, nil
	}
	var names []string
	for _, t := range harness.Targets() {
		if t.Name == name {
			return t, nil
		}
		names = append(names, t.Name)
	}
	return harness.Target{}, fmt.Errorf("%w: %q (have %s, mutant:<name>)", errUnknownTarget, name, strings.Join(names, ", "))
}

func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n <= 0 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("%w: %q", errBadShard, s)
	}
	return i, n, nil
}

// soakOutput is the --report document of `scopemig soak`.
type soakOutput struct {
	OK        bool                `json:"ok"`
	Soak      *harness.SoakReport `json:"soak,omitempty"`
	Real      *realsoak.Stats     `json:"real,omitempty"`
	Artifacts []string            `json:"artifacts,omitempty"`
}

type soakFlags struct {
	duration        time.Duration
	workers         int
	seed            uint64
	shard           string
	target          string
	report, junit   string
	artifactDir     string
	real            bool
	maxKeys, depth  int
	crashAfterError bool
}

func newSoakCmd() *cobra.Command {
	var f soakFlags
	cmd := &cobra.Command{
		Use:   "soak",
		Short: "Run randomized crash cases (or real-process kills with --real) until the deadline",
		Long: `soak runs randomized harness cases until --duration ends: stores of up to
--max-keys keys, up to --depth nested crashes of every mode and I/O errors,
each checked against the model. On a violation it writes a failure artifact
(--artifact-dir) and exits 1; replay it with 'scopemig replay --artifact F'.
With --real it starts itself as child processes that migrate a real temp
directory and kills them with SIGKILL. Exit: 0 no violation, 1 violation
or error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSoak(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f, realsoak.Config{})
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&f.duration, "duration", time.Minute, "how long to run")
	fl.IntVar(&f.workers, "workers", 0, "worker goroutines (0: all cores)")
	fl.Uint64Var(&f.seed, "seed", 0, "base seed (0: from the clock, printed)")
	fl.StringVar(&f.shard, "shard", "0/1", "run shard i of n (store groups i, i+n, …; a group is 16 consecutive case indices)")
	fl.StringVar(&f.target, "target", "encfile", "built-in target, or mutant:<name>")
	fl.StringVar(&f.report, "report", "", "write the JSON report here")
	fl.StringVar(&f.junit, "junit", "", "write a JUnit XML report here")
	fl.StringVar(&f.artifactDir, "artifact-dir", ".", "directory for failure artifacts")
	fl.BoolVar(&f.real, "real", false, "kill real child processes instead of simulated crashes")
	fl.IntVar(&f.maxKeys, "max-keys", 200, "maximum keys of a generated store")
	fl.IntVar(&f.depth, "depth", 4, "maximum nested faulty runs per case")
	fl.BoolVar(&f.crashAfterError, "crash-after-error", false, "let crashes follow injected I/O errors (docs/soak.md)")
	return cmd
}

// runSoak runs the soak described by f; rc tunes --real (tests set its Command).
func runSoak(ctx context.Context, stdout, stderr io.Writer, f soakFlags, rc realsoak.Config) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if f.seed == 0 {
		f.seed = uint64(time.Now().UnixNano())>>1 | 1
	}
	shard, shards, err := parseShard(f.shard)
	if err != nil {
		return err
	}
	if err := errors.Join(
		atLeast("--duration", f.duration, 0, "0: until interrupted"),
		atLeast("--workers", f.workers, 0, "0: all cores"),
		atLeast("--max-keys", f.maxKeys, 0, "0: the default"),
		atLeast("--depth", f.depth, 0, "0: the default"),
	); err != nil {
		return err
	}
	prog := newProgress(stderr)
	var out soakOutput
	if f.real {
		rc.Seed, rc.Duration, rc.Workers = f.seed, f.duration, f.workers
		if rc.Command == nil {
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("real soak: %w", err)
			}
			rc.Command = childCommand(exe, nil)
		}
		rc.Progress = func(s realsoak.Stats) {
			prog.line(fmt.Sprintf("real %5.0fs cycles=%d kills=%d (%.0f/s) violations=%d", s.Seconds, s.Cycles, s.Kills, s.KillsPerSec, s.Violations))
		}
		st, err := realsoak.Run(ctx, rc)
		prog.done()
		if err != nil {
			return err
		}
		out.Real, out.OK = &st, st.Violations == 0
		fmt.Fprintf(stdout, "real soak: seed %d, %d cycles, %d kills in %.1fs (%.0f kills/s), %d violations\n", f.seed, st.Cycles, st.Kills, st.Seconds, st.KillsPerSec, st.Violations)
		for _, v := range st.ViolationList {
			fmt.Fprintf(stdout, "  %s\n", v)
		}
	} else {
		t, err := resolveTarget(f.target)
		if err != nil {
			return err
		}
		cfg := harness.SoakConfig{Seed: f.seed, Duration: f.duration, Workers: f.workers, Shard: shard, Shards: shards,
			MaxKeys: f.maxKeys, Depth: f.depth, CrashAfterError: f.crashAfterError}
		cfg.Progress = func(s harness.SoakReport) {
			prog.line(fmt.Sprintf("soak %s %5.0fs cases=%d states=%d distinct=%d (%.0f cases/s) violations=%d", t.Name, s.Seconds, s.Cases, s.CrashStates, s.DistinctImages, s.CasesPerSecond(), len(s.Failures)))
		}
		rep, err := harness.Soak(ctx, t, cfg)
		prog.done()
		if err != nil {
			return err
		}
		out.Soak, out.OK = &rep, rep.OK()
		fmt.Fprintf(stdout, "soak %s: seed %d shard %d/%d, %d cases, %d crash states (%d distinct images checked) in %.1fs, %d failing cases\n",
			t.Name, rep.Seed, rep.Shard, rep.Shards, rep.Cases, rep.CrashStates, rep.DistinctImages, rep.Seconds, len(rep.Failures))
		for i := range rep.Failures {
			rep.Failures[i].Replay = soakReplay(rep.Failures[i])
		}
		for _, a := range rep.Failures {
			p, err := a.Write(afero.NewOsFs(), f.artifactDir)
			if err != nil {
				return err
			}
			out.Artifacts = append(out.Artifacts, p)
			fmt.Fprintf(stdout, "\n%s %s (case %d): %s\n", a.Invariant, a.Name, a.Case, a.Detail)
			for _, l := range a.Counterexample {
				fmt.Fprintf(stdout, "    %s\n", l)
			}
			fmt.Fprintf(stdout, "  artifact: %s\n  replay: %s\n", p, a.Replay)
		}
	}
	if f.report != "" {
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(f.report, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if f.junit != "" {
		if err := writeJUnit(f.junit, out); err != nil {
			return err
		}
	}
	if !out.OK {
		return errSoakFailed
	}
	return nil
}
