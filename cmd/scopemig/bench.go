package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/cmd/scopemig/internal/procstat"
	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/internal/perf"
	"github.com/scopemig/scopemig/model"
)

// benchOutput is the --json document of `scopemig bench` (docs/performance.md).
type benchOutput struct {
	Cores      int              `json:"cores"`
	Reps       int              `json:"reps"`
	Migration  []benchMigration `json:"migration"`
	Growth     *float64         `json:"growth_exponent,omitempty"` // log10(t(10000)/t(1000)) of the Runner
	GrowthRat  *float64         `json:"growth_ratio,omitempty"`    // t(10000)/t(1000) of the Runner
	Explorer   []benchExplore   `json:"explorer"`
	Soak       []benchSoak      `json:"soak"`
	Plan       []benchPlan      `json:"plan_vs_migrate"` // bench_plan.go
	KillPerSec float64          `json:"real_kills_per_second"`
	KillMicros float64          `json:"real_kill_cycle_us"`

	// Syscall is the syscall-level explorer on the real scopemig binary
	// (bench_syscall.go); SyscallSkipped says why it is absent.
	Syscall        []benchSyscallRow   `json:"syscall_explorer,omitempty"`
	SyscallTotals  []benchSyscallTotal `json:"syscall_explorer_totals,omitempty"`
	SyscallSkipped string              `json:"syscall_explorer_skipped,omitempty"`
	MaxRSS         uint64              `json:"max_rss_bytes"`
	HeapInuse      uint64              `json:"heap_inuse_bytes"`
}

type benchMigration struct {
	N          int      `json:"n"`
	RunnerSecs float64  `json:"runner_seconds"`            // median
	PerKeySecs *float64 `json:"per_key_seconds,omitempty"` // median; absent above --per-key-max
	Ratio      *float64 `json:"per_key_over_runner,omitempty"`
}

type benchExplore struct {
	Mode          string  `json:"mode"`
	Workers       int     `json:"workers"`
	GOGC          int     `json:"gogc"` // the GC percent during the measurement
	States        int     `json:"states"`
	Images        int     `json:"distinct_images"` // states whose image was checked afresh (not from the sweep's memo)
	Seconds       float64 `json:"seconds"`
	PerSecond     float64 `json:"states_per_second"`
	PerSecondCore float64 `json:"states_per_second_per_core"`
	CPUSeconds    float64 `json:"cpu_seconds"`
	PerCPUSecond  float64 `json:"states_per_cpu_second"`
	OverKillRate  float64 `json:"over_real_kill_rate"`
	HeapInuse     uint64  `json:"heap_inuse_bytes_after"`
}

// benchSoak is one soak row: harness.Soak of the encfile target with the
// soak's defaults (the nightly workflow's cases) for --soak.
type benchSoak struct {
	Workers       int     `json:"workers"`
	GOGC          int     `json:"gogc"`
	Cases         int     `json:"cases"`
	States        int     `json:"states"`
	Images        int     `json:"distinct_images"`
	Seconds       float64 `json:"seconds"`
	PerSecond     float64 `json:"states_per_second"`
	PerSecondCore float64 `json:"states_per_second_per_core"`
	CasesPerSec   float64 `json:"cases_per_second"`
	CPUSeconds    float64 `json:"cpu_seconds"`
	PerCPUSecond  float64 `json:"states_per_cpu_second"`
}

func newBenchCmd() *cobra.Command {
	var (
		asJSON     bool
		ns         string
		reps       int
		perKeyMax  int
		exploreDur time.Duration
		soakDur    time.Duration
		kills      int
		gogc       string
		childSleep bool
		planNs     string
		sysOpts    benchSyscallOpts
		sysOnly    bool
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure migration (Runner vs ToolHive's per-key algorithm), crash-explorer rate and real-process kill rate",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if childSleep { // the tiny child of the kill-rate measurement
				fmt.Fprintln(cmd.OutOrStdout(), "ready") // perf.KillCycle kills it once it runs
				time.Sleep(time.Hour)
				return nil
			}
			sizes, err := parseSizes(ns, "--n", 1)
			if err != nil {
				return err
			}
			gcs, err := parseSizes(gogc, "--gogc", 10)
			if err != nil {
				return err
			}
			planSizes, err := parsePlanSizes(planNs)
			if err != nil {
				return err
			}
			if sysOnly {
				sizes, planSizes, soakDur = nil, nil, 0
			}
			out, err := runBench(cmd.Context(), cmd.ErrOrStderr(), sizes, max(reps, 1), perKeyMax, exploreDur, soakDur, max(kills, 1), gcs, sysOpts, sysOnly)
			if err != nil {
				return err
			}
			for _, n := range planSizes {
				fmt.Fprintf(cmd.ErrOrStderr(), "plan vs migrate N=%d ...\n", n)
				row, err := benchPlanVsMigrate(cmd.Context(), n, max(reps, 1))
				if err != nil {
					return err
				}
				out.Plan = append(out.Plan, row)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), out)
			}
			printBench(cmd.OutOrStdout(), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the figures as JSON")
	f.StringVar(&ns, "n", "10,100,1000,10000", "comma-separated numbers of legacy keys")
	f.IntVar(&reps, "reps", 3, "alternating A/B repetitions per N (medians are reported)")
	f.IntVar(&perKeyMax, "per-key-max", 1000, "largest N the per-key algorithm is timed at (it is quadratic)")
	f.DurationVar(&exploreDur, "explore", 2*time.Second, "duration of each crash-explorer measurement")
	f.DurationVar(&soakDur, "soak", 2*time.Second, "duration of each soak measurement (0: none)")
	f.IntVar(&kills, "kills", 200, "real child processes started and killed with SIGKILL")
	f.StringVar(&planNs, "plan-n", "1000,10000,30000", "comma-separated numbers of legacy keys plan and migrate are timed at side by side (\"none\" to skip)")
	f.StringVar(&gogc, "gogc", "100,400", "comma-separated GC percents the explorer is measured at (100 is Go's default)")
	f.StringVar(&sysOpts.fixture, "fixture", "testdata/toolhive-v0.47.0", "the ToolHive v0.47.0 fixture store the syscall-level explorer rows explore (missing: those rows are skipped)")
	f.StringVar(&sysOpts.thvdriver, "thvdriver", "", "ToolHive's driver binary (build: cd interop && go build -o /tmp/thvdriver ./cmd/thvdriver): adds its syscall-level explorer rows")
	f.BoolVar(&sysOpts.baseline, "syscall-baseline", true, "explore every syscall workload with the unfiltered recorder too (every syscall stops, a killed run per process point, one worker), side by side")
	f.BoolVar(&sysOnly, "syscall-only", false, "measure the syscall-level explorer rows only")
	f.BoolVar(&childSleep, "child-sleep", false, "internal: sleep (the child of the kill-rate measurement)")
	_ = f.MarkHidden("child-sleep")
	return cmd
}

// parseSizes parses a comma-separated list of integers of at least least
// for the flag name.
func parseSizes(s, name string, least int) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < least {
			return nil, fmt.Errorf("%s: %q is not an integer >= %d", name, p, least)
		}
		out = append(out, n)
	}
	return out, nil
}

func runBench(ctx context.Context, log io.Writer, sizes []int, reps, perKeyMax int, exploreDur, soakDur time.Duration, kills int, gcs []int, sysOpts benchSyscallOpts, sysOnly bool) (benchOutput, error) {
	out := benchOutput{Cores: runtime.GOMAXPROCS(0), Reps: reps}
	exe, err := os.Executable()
	if err != nil {
		return out, err
	}
	if sysOnly {
		out.Syscall, out.SyscallTotals, out.SyscallSkipped, err = benchSyscall(ctx, log, exe, sysOpts)
		return out, err
	}
	runner, perKey := fixture.RunnerMigrator(model.Keep, nil), perf.ToolHiveMigrator()
	byN := map[int]float64{}
	for _, n := range sizes {
		fmt.Fprintf(log, "migration N=%d ...\n", n)
		m, err := benchMigrate(ctx, n, reps, n <= perKeyMax, runner, perKey)
		if err != nil {
			return out, err
		}
		byN[n] = m.RunnerSecs
		out.Migration = append(out.Migration, m)
	}
	if a, b := byN[1000], byN[10000]; a > 0 && b > 0 {
		r, g := b/a, math.Log10(b/a)
		out.GrowthRat, out.Growth = &r, &g
	}

	fmt.Fprintf(log, "real-process kills x%d ...\n", kills)
	secs, err := perf.KillRate(ctx, []string{exe, "bench", "--child-sleep"}, kills)
	if err != nil {
		return out, err
	}
	out.KillPerSec, out.KillMicros = float64(kills)/secs, secs/float64(kills)*1e6

	target := harness.Targets()[0]
	s0 := fixture.ExploreStore()
	for _, gc := range gcs {
		for _, workers := range []int{1, out.Cores} {
			for _, mode := range []faults.Mode{faults.Process, faults.Power} {
				fmt.Fprintf(log, "explorer %s x%d GOGC=%d ...\n", mode, workers, gc)
				e, err := benchExplorer(ctx, target, s0, mode, workers, gc, exploreDur)
				if err != nil {
					return out, err
				}
				e.OverKillRate = e.PerSecondCore / out.KillPerSec
				out.Explorer = append(out.Explorer, e)
			}
		}
	}
	for _, gc := range gcs {
		for _, workers := range []int{1, out.Cores} {
			if soakDur <= 0 {
				break
			}
			fmt.Fprintf(log, "soak x%d GOGC=%d ...\n", workers, gc)
			r, err := benchSoakRow(ctx, target, workers, gc, soakDur)
			if err != nil {
				return out, err
			}
			out.Soak = append(out.Soak, r)
		}
	}
	if out.Syscall, out.SyscallTotals, out.SyscallSkipped, err = benchSyscall(ctx, log, exe, sysOpts); err != nil {
		return out, err
	}
	out.MaxRSS, _ = procstat.PeakRSS() // 0 where the system does not report it
	out.HeapInuse = heapInuse()
	return out, nil
}

// errBenchViolation reports that a benchmark run found an invariant
// violation.
var errBenchViolation = errors.New("invariant violation")

// benchExplorer measures one explorer row at GC percent gc (restored
// after): a small live heap and a high allocation rate make Go's default
// collect very often, and with every core busy the collector competes with
// the workers.
func benchExplorer(ctx context.Context, target harness.Target, s0 model.State, mode faults.Mode, workers, gc int, dur time.Duration) (benchExplore, error) {
	defer debug.SetGCPercent(debug.SetGCPercent(gc))
	runtime.GC()
	cpu0, _ := procstat.CPU()
	rep, err := harness.Explore(ctx, target, harness.ExploreConfig{Store: &s0, Modes: []faults.Mode{mode}, Depth: 1, Seed: 1, Workers: workers, Duration: dur})
	if err != nil {
		return benchExplore{}, err
	}
	m := rep.Modes[0]
	if m.Violation != "" { // a rate of a wrong migration is no figure
		return benchExplore{}, fmt.Errorf("%w: explorer %s: %s", errBenchViolation, mode, m.Violation)
	}
	states, images, secs := m.States, m.Images, m.Seconds
	cpu1, _ := procstat.CPU()
	cpu := (cpu1 - cpu0).Seconds()
	runtime.GC()
	heap := heapInuse()
	rate := float64(states) / secs
	e := benchExplore{
		Mode: mode.String(), Workers: workers, GOGC: gc, States: states, Images: images, Seconds: secs,
		PerSecond: rate, PerSecondCore: rate / float64(workers),
		CPUSeconds: cpu, HeapInuse: heap,
	}
	if cpu > 0 { // no CPU time reported: no per-CPU rate (and no +Inf in the JSON)
		e.PerCPUSecond = float64(states) / cpu
	}
	return e, nil
}

// benchSoakRow runs harness.Soak (the nightly soak's cases, its default
// sizes) of target on workers goroutines for dur at GC percent gc.
func benchSoakRow(ctx context.Context, target harness.Target, workers, gc int, dur time.Duration) (benchSoak, error) {
	defer debug.SetGCPercent(debug.SetGCPercent(gc))
	runtime.GC()
	cpu0, _ := procstat.CPU()
	rep, err := harness.Soak(ctx, target, harness.SoakConfig{Seed: 1, Duration: dur, Workers: workers})
	if err != nil {
		return benchSoak{}, err
	}
	if !rep.OK() {
		return benchSoak{}, fmt.Errorf("%w: soak case %d failed: %s", errBenchViolation, rep.Failures[0].Case, rep.Failures[0].Detail)
	}
	cpu1, _ := procstat.CPU()
	cpu := (cpu1 - cpu0).Seconds()
	rate := float64(rep.CrashStates) / rep.Seconds
	r := benchSoak{
		Workers: workers, GOGC: gc, Cases: rep.Cases, States: rep.CrashStates, Images: rep.DistinctImages, Seconds: rep.Seconds,
		PerSecond: rate, PerSecondCore: rate / float64(workers), CasesPerSec: float64(rep.Cases) / rep.Seconds,
		CPUSeconds: cpu,
	}
	if cpu > 0 {
		r.PerCPUSecond = float64(rep.CrashStates) / cpu
	}
	return r, nil
}

// benchMigrate times the Runner (A) and, if withPerKey, the per-key
// algorithm (B) on the same store in two real temp dirs, alternating
// A, B, A, B… reps times, and returns the medians.
func benchMigrate(ctx context.Context, n, reps int, withPerKey bool, a, b harness.Migrator) (benchMigration, error) {
	content := fixture.BenchStore(n)
	var stores [2]*perf.RealStore
	for i := range stores {
		dir, err := os.MkdirTemp("", "scopemig-bench-")
		if err != nil {
			return benchMigration{}, err
		}
		defer func() { _ = os.RemoveAll(dir) }()
		if stores[i], err = perf.NewRealStore(dir, content); err != nil {
			return benchMigration{}, err
		}
	}
	time1 := func(r *perf.RealStore, m harness.Migrator) (float64, error) {
		if err := r.Reset(); err != nil {
			return 0, err
		}
		start := time.Now()
		if err := r.Migrate(ctx, m); err != nil {
			return 0, err
		}
		d := time.Since(start).Seconds()
		return d, r.Check(ctx)
	}
	var ta, tb []float64
	for range reps {
		d, err := time1(stores[0], a)
		if err != nil {
			return benchMigration{}, err
		}
		ta = append(ta, d)
		if withPerKey {
			d, err := time1(stores[1], b)
			if err != nil {
				return benchMigration{}, err
			}
			tb = append(tb, d)
		}
	}
	res := benchMigration{N: n, RunnerSecs: median(ta)}
	if withPerKey {
		pk := median(tb)
		r := pk / res.RunnerSecs
		res.PerKeySecs, res.Ratio = &pk, &r
	}
	return res, nil
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func printBench(w io.Writer, o benchOutput) {
	if o.KillPerSec == 0 { // --syscall-only
		printBenchSyscall(w, o.Syscall, o.SyscallTotals, o.SyscallSkipped)
		return
	}
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "MIGRATION (median of %d, alternating)\tRUNNER\tPER-KEY (TOOLHIVE ALGO)\tRATIO\n", o.Reps)
	for _, m := range o.Migration {
		pk, ratio := "-", "-"
		if m.PerKeySecs != nil {
			pk, ratio = fmtDur(*m.PerKeySecs), fmt.Sprintf("%.0fx", *m.Ratio)
		}
		fmt.Fprintf(tw, "N=%d\t%s\t%s\t%s\n", m.N, fmtDur(m.RunnerSecs), pk, ratio)
	}
	_ = tw.Flush()
	if o.Growth != nil {
		fmt.Fprintf(w, "growth: t(10000)/t(1000) = %.2f, exponent log10 = %.2f\n", *o.GrowthRat, *o.Growth)
	}
	fmt.Fprintf(w, "\nreal process start (until it runs) + SIGKILL + wait: %.0f/s (%.0f µs per cycle)\n", o.KillPerSec, o.KillMicros)
	tw = tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "EXPLORER (10-secret store)\tWORKERS\tGOGC\tSTATES\tDISTINCT IMAGES\tSTATES/S\tSTATES/S/CORE\tSTATES/CPU-S\tx REAL KILLS\tHEAP AFTER\n")
	for _, e := range o.Explorer {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0fx\t%.1f MiB\n", e.Mode, e.Workers, e.GOGC, e.States, e.Images, e.PerSecond, e.PerSecondCore, e.PerCPUSecond, e.OverKillRate, float64(e.HeapInuse)/(1<<20))
	}
	_ = tw.Flush()
	if len(o.Soak) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
		fmt.Fprintf(tw, "SOAK (defaults: up to 200 keys, 4 faults)\tWORKERS\tGOGC\tCASES\tSTATES\tDISTINCT IMAGES\tSTATES/S\tSTATES/S/CORE\tSTATES/CPU-S\tCASES/S\n")
		for _, r := range o.Soak {
			fmt.Fprintf(tw, "soak\t%d\t%d\t%d\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f\n", r.Workers, r.GOGC, r.Cases, r.States, r.Images, r.PerSecond, r.PerSecondCore, r.PerCPUSecond, r.CasesPerSec)
		}
		_ = tw.Flush()
	}
	printBenchPlan(w, o.Plan, o.Reps)
	printBenchSyscall(w, o.Syscall, o.SyscallTotals, o.SyscallSkipped)
	fmt.Fprintf(w, "\npeak RSS %.1f MiB, heap in use %.1f MiB (%d cores)\n", float64(o.MaxRSS)/(1<<20), float64(o.HeapInuse)/(1<<20), o.Cores)
}

func fmtDur(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Microsecond).String()
}

// heapInuse returns the Go heap in use now.
func heapInuse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
