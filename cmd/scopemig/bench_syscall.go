package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/scopemig/scopemig/cmd/scopemig/internal/procstat"
	"github.com/scopemig/scopemig/harness/sysexplore"
	"github.com/scopemig/scopemig/impl/encfile"
)

// benchSyscallRow is one mode of one syscall-level exploration: a real
// command explored at every file-mutating syscall of a workload, by the
// current recorder ("seccomp": filtered tracing, process images copied
// from the recording, --workers in parallel, copies on /dev/shm) or by
// the recorder as it was ("unfiltered": every syscall stops, one killed
// run per process point, one worker, copies in the system temp
// directory), side by side in one bench run.
type benchSyscallRow struct {
	Workload  string  `json:"workload"`
	Recorder  string  `json:"recorder"` // seccomp or unfiltered
	Mode      string  `json:"mode"`
	Points    int     `json:"crash_points"`
	Distinct  int     `json:"distinct_images"`
	Runs      int     `json:"runs"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"crash_points_per_second"`
}

// benchSyscallTotal is one whole exploration (recording and every mode):
// its wall time, and the goal the issue set for it.
type benchSyscallTotal struct {
	Workload string  `json:"workload"`
	Recorder string  `json:"recorder"`
	Points   int     `json:"crash_points"` // of the recording
	Seconds  float64 `json:"seconds"`      // wall, the whole exploration
	// CPUSeconds is the CPU time of the explorer and of every run of the
	// command (user+system, children included): on an idle machine with
	// c cores the exploration cannot take less than CPUSeconds/c.
	CPUSeconds float64 `json:"cpu_seconds"`
	Goal       string  `json:"goal,omitempty"`
	Findings   int     `json:"violations"` // ToolHive's driver has known findings; scopemig's migrate none
}

// benchSyscallOpts says which workloads the syscall rows explore.
type benchSyscallOpts struct {
	fixture   string // the ToolHive v0.47.0 fixture directory ("" or missing: its rows are skipped)
	thvdriver string // ToolHive's driver binary (interop/cmd/thvdriver; "": its rows are skipped)
	baseline  bool   // also explore with the unfiltered recorder, side by side
}

// benchSyscallPassword encrypts the generated stores of the measurement.
const benchSyscallPassword = "scopemig bench"

// fixturePasswordBench is the fixture's password (docs, SPEC §8).
const fixturePasswordBench = "correct horse battery staple"

// benchWorkload is one command on one store.
type benchWorkload struct {
	name, from, password, goal string
	argv                       []string
	findingsOK                 bool // ToolHive's driver: its known findings are expected
}

// benchSyscall explores every workload in every mode, with the current
// recorder and (opts.baseline) the unfiltered one. Where ptrace is not
// available it returns no rows and the reason.
func benchSyscall(ctx context.Context, log io.Writer, exe string, opts benchSyscallOpts) ([]benchSyscallRow, []benchSyscallTotal, string, error) {
	if err := sysexplore.PtraceWorks(); err != nil {
		return nil, nil, err.Error(), nil
	}
	tmp, err := os.MkdirTemp("", "scopemig-bench-syscall-")
	if err != nil {
		return nil, nil, "", err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	migrate := []string{exe, "migrate", "--secrets-file", "{dir}/secrets_encrypted", "--config", "{dir}/config.yaml"}
	thv := []string{opts.thvdriver, "{dir}/secrets_encrypted", "{dir}/config.yaml"}
	var wls []benchWorkload
	if fi, err := os.Stat(opts.fixture); opts.fixture != "" && err == nil && fi.IsDir() {
		wls = append(wls, benchWorkload{name: "scopemig migrate, fixture", from: opts.fixture, password: fixturePasswordBench, argv: migrate, goal: "< 1 s"})
	} else {
		fmt.Fprintf(log, "syscall explorer: no fixture at %q, its rows are skipped\n", opts.fixture)
	}
	big := filepath.Join(tmp, "store-1000")
	if err := writeBenchStore(big, benchPlanStore(1000, 4096)); err != nil {
		return nil, nil, "", err
	}
	wls = append(wls, benchWorkload{name: "scopemig migrate, 1000 keys x 4 KiB", from: big, password: benchSyscallPassword, argv: migrate, goal: "< 10 s"})
	if opts.thvdriver != "" {
		if len(wls) > 0 && wls[0].from == opts.fixture {
			wls = append(wls, benchWorkload{name: "ToolHive driver, fixture", from: opts.fixture, password: fixturePasswordBench, argv: thv, goal: "< 5 s, >= 8x unfiltered", findingsOK: true})
		}
		mid := filepath.Join(tmp, "store-30-30")
		if err := writeBenchStore(mid, legacyAndUser(30, 30)); err != nil {
			return nil, nil, "", err
		}
		wls = append(wls, benchWorkload{name: "ToolHive driver, 30 legacy + 30 user keys", from: mid, password: benchSyscallPassword, argv: thv, goal: "< 60 s", findingsOK: true})
	}
	var rows []benchSyscallRow
	var totals []benchSyscallTotal
	for _, wl := range wls {
		recorders := []string{"seccomp"}
		if opts.baseline {
			recorders = append(recorders, "unfiltered")
		}
		for _, rec := range recorders {
			fmt.Fprintf(log, "syscall explorer: %s, %s recorder ...\n", wl.name, rec)
			cfg := sysexplore.Config{
				From: wl.from, Argv: wl.argv, Password: wl.password,
				Env: append(os.Environ(), PasswordEnvVar+"="+wl.password),
			}
			if rec == "unfiltered" {
				// The recorder as it was: every syscall stops, one killed
				// run per process point, one worker, copies in the system
				// temp directory.
				cfg.FullTrace, cfg.KillRuns, cfg.Workers, cfg.WorkDir = true, true, 1, os.TempDir()
			}
			start := time.Now()
			cpu0, _ := procstat.TreeCPU()
			rep, err := sysexplore.Explore(ctx, cfg)
			cpu1, _ := procstat.TreeCPU()
			if err != nil {
				return nil, nil, "", fmt.Errorf("bench: %s: %w", wl.name, err)
			}
			secs := time.Since(start).Seconds()
			if rec == "seccomp" && rep.Tracing != "seccomp" {
				fmt.Fprintf(log, "syscall explorer: no seccomp filter here (%s)\n", rep.Tracing)
			}
			if !wl.findingsOK && !rep.OK() {
				return nil, nil, "", fmt.Errorf("bench: the syscall-level explorer found %d violations and %d inconclusive points in %s", len(rep.Violations), len(rep.Inconclusive), wl.name)
			}
			goal := wl.goal
			if rec != "seccomp" {
				goal = ""
			}
			totals = append(totals, benchSyscallTotal{Workload: wl.name, Recorder: rec, Points: rep.Points, Seconds: secs, CPUSeconds: (cpu1 - cpu0).Seconds(), Goal: goal, Findings: len(rep.Violations)})
			for _, m := range rep.Modes {
				rows = append(rows, benchSyscallRow{Workload: wl.name, Recorder: rec, Mode: m.Mode.String(), Points: m.States, Distinct: m.Images, Runs: m.Runs, Seconds: m.Seconds, PerSecond: m.StatesPerSec})
			}
		}
	}
	return rows, totals, "", nil
}

// legacyAndUser is a store of n legacy keys (every legacy prefix in turn)
// and u user keys, 32-byte values.
func legacyAndUser(n, u int) map[string]string {
	prefixes := []string{"BEARER_TOKEN_", "OAUTH_CLIENT_SECRET_", "OAUTH_REFRESH_TOKEN_", "registry-user-", "registry-default-", "BUILD_AUTH_FILE_", "REGISTRY_OAUTH_"}
	m := make(map[string]string, n+u)
	for i := range n {
		m[fmt.Sprintf("%sbench-%03d", prefixes[i%len(prefixes)], i)] = fmt.Sprintf("legacy-value-%03d-0123456789abcdef", i)
	}
	for i := range u {
		m[fmt.Sprintf("user-key-%03d", i)] = fmt.Sprintf("user-value-%03d-0123456789abcdefgh", i)
	}
	return m
}

// writeBenchStore writes a ToolHive-layout store (encrypted secrets file,
// config) of secrets into a new directory dir.
func writeBenchStore(dir string, secrets map[string]string) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	data, err := encfile.Encode(encfile.KeyFromPassword([]byte(benchSyscallPassword)), secrets, rand.Reader)
	if err != nil {
		return err
	}
	return errors.Join(
		os.WriteFile(filepath.Join(dir, "secrets_encrypted"), data, 0o600),
		os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("secrets:\n    provider_type: encrypted\n    setup_completed: true\n"), 0o600),
	)
}

// printBenchSyscall prints the rows (or why there are none).
func printBenchSyscall(w io.Writer, rows []benchSyscallRow, totals []benchSyscallTotal, skipped string) {
	if skipped != "" {
		fmt.Fprintf(w, "\nsyscall-level explorer: skipped (%s)\n", skipped)
		return
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "SYSCALL EXPLORER\tRECORDER\tMODE\tCRASH POINTS\tDISTINCT IMAGES\tRUNS\tSECONDS\tPOINTS/S\n")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%.2f\t%.1f\n", r.Workload, r.Recorder, r.Mode, r.Points, r.Distinct, r.Runs, r.Seconds, r.PerSecond)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "WHOLE EXPLORATION\tRECORDER\tCRASH POINTS\tVIOLATIONS\tSECONDS\tCPU SECONDS\tUNFILTERED / SECCOMP (WALL, CPU)\tGOAL\n")
	base := map[string]benchSyscallTotal{}
	for _, t := range totals {
		if t.Recorder == "unfiltered" {
			base[t.Workload] = t
		}
	}
	for _, t := range totals {
		ratio := ""
		if b, ok := base[t.Workload]; ok && t.Recorder == "seccomp" && t.Seconds > 0 && t.CPUSeconds > 0 {
			ratio = fmt.Sprintf("%.1fx, %.1fx", b.Seconds/t.Seconds, b.CPUSeconds/t.CPUSeconds)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.2f\t%.2f\t%s\t%s\n", t.Workload, t.Recorder, t.Points, t.Findings, t.Seconds, t.CPUSeconds, ratio, strings.TrimSpace(t.Goal))
	}
	_ = tw.Flush()
}
