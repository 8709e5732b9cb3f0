package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/scopemig/scopemig/harness/sysexplore"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/internal/fixture"
)

// benchSyscallRow is one mode of the syscall-level explorer measurement:
// the real scopemig migrate binary (this executable) explored at every
// file-mutating syscall on the 10-secret store.
type benchSyscallRow struct {
	Mode      string  `json:"mode"`
	Points    int     `json:"crash_points"`
	Distinct  int     `json:"distinct_images"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"crash_points_per_second"`
}

// benchSyscallPassword encrypts the throw-away store of the measurement.
const benchSyscallPassword = "scopemig bench"

// benchSyscall explores `exe migrate` on a fresh ToolHive-layout store of
// fixture.ExploreStore in every mode. Where ptrace is not available it
// returns no rows and the reason.
func benchSyscall(ctx context.Context, log io.Writer, exe string) ([]benchSyscallRow, string, error) {
	if err := sysexplore.PtraceWorks(); err != nil {
		return nil, err.Error(), nil
	}
	dir, err := os.MkdirTemp("", "scopemig-bench-store-")
	if err != nil {
		return nil, "", err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	data, err := encfile.Encode(encfile.KeyFromPassword([]byte(benchSyscallPassword)), fixture.ExploreStore().Secrets, rand.Reader)
	if err != nil {
		return nil, "", err
	}
	if err := errors.Join(
		os.WriteFile(filepath.Join(dir, "secrets_encrypted"), data, 0o600),
		os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("secrets:\n    provider_type: encrypted\n    setup_completed: true\n"), 0o600),
	); err != nil {
		return nil, "", err
	}
	fmt.Fprintln(log, "syscall-level explorer (real scopemig migrate) ...")
	rep, err := sysexplore.Explore(ctx, sysexplore.Config{
		From:     dir,
		Argv:     []string{exe, "migrate", "--secrets-file", "{dir}/secrets_encrypted", "--config", "{dir}/config.yaml"},
		Password: benchSyscallPassword,
		Env:      append(os.Environ(), PasswordEnvVar+"="+benchSyscallPassword),
	})
	if err != nil {
		return nil, "", err
	}
	if !rep.OK() {
		return nil, "", fmt.Errorf("bench: the syscall-level explorer found %d violations and %d inconclusive points in scopemig migrate", len(rep.Violations), len(rep.Inconclusive))
	}
	var rows []benchSyscallRow
	for _, m := range rep.Modes {
		rows = append(rows, benchSyscallRow{Mode: m.Mode.String(), Points: m.States, Distinct: m.Images, Seconds: m.Seconds, PerSecond: m.StatesPerSec})
	}
	return rows, "", nil
}

// printBenchSyscall prints the rows (or why there are none).
func printBenchSyscall(w io.Writer, rows []benchSyscallRow, skipped string) {
	if skipped != "" {
		fmt.Fprintf(w, "\nsyscall-level explorer: skipped (%s)\n", skipped)
		return
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "SYSCALL EXPLORER (real scopemig migrate)\tCRASH POINTS\tDISTINCT IMAGES\tSECONDS\tPOINTS/S\n")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.1f\n", r.Mode, r.Points, r.Distinct, r.Seconds, r.PerSecond)
	}
	_ = tw.Flush()
}
