package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/internal/fixture"
)

// benchPlan is one row of `scopemig bench`'s plan-vs-migrate table: the
// real `plan` and `migrate` commands (in process, real temp dir, real
// encrypted store and config) on the same store, alternating, medians.
type benchPlan struct {
	N           int     `json:"n"`            // legacy keys (fixture.BenchStore(N) shape)
	ValueBytes  int     `json:"value_bytes"`  // size of every legacy value
	StoreBytes  int     `json:"store_bytes"`  // the encrypted file
	PlanSecs    float64 `json:"plan_seconds"` // median
	MigrateSecs float64 `json:"migrate_seconds"`
	Ratio       float64 `json:"plan_over_migrate"`
}

// benchPlanPassword is the password of the bench stores (synthetic data).
const benchPlanPassword = "scopemig-bench"

// benchPlanValueBytes is the legacy value size at n keys: 4 KiB (a large
// bearer token or OAuth secret), less where the store would pass ToolHive's 32 MiB
// limit (about 24 MiB of values at most).
func benchPlanValueBytes(n int) int { return max(64, min(4096, (24<<20)/max(n, 1))) }

// benchPlanStore is fixture.BenchStore(n) (legacy keys of every prefix,
// identical and conflicting scoped twins, user and system keys) with every
// legacy value padded to valueBytes.
func benchPlanStore(n, valueBytes int) map[string]string {
	m := fixture.BenchStore(n)
	for k, v := range m {
		if len(v) < valueBytes && !strings.HasPrefix(k, "user-") && !strings.HasPrefix(k, "__thv_auth_") {
			m[k] = v + strings.Repeat("x", valueBytes-len(v))
		}
	}
	return m
}

// benchPlanVsMigrate times `scopemig plan` and `scopemig migrate` on the
// same store of n legacy keys, alternating plan, migrate, plan, … reps
// times (the store and config are restored before every migrate, outside
// the timing), and returns the medians.
func benchPlanVsMigrate(ctx context.Context, n, reps int) (benchPlan, error) {
	vb := benchPlanValueBytes(n)
	data, err := encfile.Encode(encfile.KeyFromPassword([]byte(benchPlanPassword)), benchPlanStore(n, vb), nil)
	if err != nil {
		return benchPlan{}, err
	}
	dir, err := os.MkdirTemp("", "scopemig-bench-plan-")
	if err != nil {
		return benchPlan{}, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	store, cfg := filepath.Join(dir, "secrets_encrypted"), filepath.Join(dir, "config.yaml")
	reset := func() error {
		if err := os.WriteFile(store, data, 0o600); err != nil {
			return err
		}
		return os.WriteFile(cfg, []byte("secrets:\n  provider_type: encrypted\n"), 0o600)
	}
	env := osEnv()
	env.getenv = func(k string) string {
		if k == PasswordEnvVar {
			return benchPlanPassword
		}
		return os.Getenv(k)
	}
	args := []string{"--secrets-file", store, "--config", cfg}
	time1 := func(newCmd func(cliEnv) *cobra.Command, want string) (float64, error) {
		cmd := newCmd(env)
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(args)
		start := time.Now()
		err := cmd.ExecuteContext(ctx)
		d := time.Since(start).Seconds()
		if err != nil {
			return 0, err
		}
		if last := benchLastLine(out.String()); !strings.HasPrefix(last, want) {
			return 0, fmt.Errorf("bench plan: unexpected output %q", last)
		}
		return d, nil
	}
	var tp, tm []float64
	for range reps {
		if err := reset(); err != nil {
			return benchPlan{}, err
		}
		d, err := time1(newPlanCmdEnv, "plan (on-conflict=keep): ")
		if err != nil {
			return benchPlan{}, err
		}
		tp = append(tp, d)
		if d, err = time1(newMigrateCmdEnv, "migrated (on-conflict=keep): "); err != nil {
			return benchPlan{}, err
		}
		tm = append(tm, d)
	}
	res := benchPlan{N: n, ValueBytes: vb, StoreBytes: len(data), PlanSecs: median(tp), MigrateSecs: median(tm)}
	res.Ratio = res.PlanSecs / res.MigrateSecs
	return res, nil
}

// benchLastLine returns the last non-empty line of s.
func benchLastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// printBenchPlan prints the plan-vs-migrate table.
func printBenchPlan(w io.Writer, rows []benchPlan, reps int) {
	if len(rows) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "\nPLAN VS MIGRATE (real commands, median of %d, alternating)\tVALUE\tSTORE\tPLAN\tMIGRATE\tPLAN/MIGRATE\n", reps)
	for _, r := range rows {
		fmt.Fprintf(tw, "N=%d\t%d B\t%.1f MiB\t%s\t%s\t%.2fx\n", r.N, r.ValueBytes, float64(r.StoreBytes)/(1<<20), fmtDur(r.PlanSecs), fmtDur(r.MigrateSecs), r.Ratio)
	}
	_ = tw.Flush()
}

// parsePlanSizes parses --plan-n: sizes, or "none".
func parsePlanSizes(s string) ([]int, error) {
	if strings.TrimSpace(s) == "none" {
		return nil, nil
	}
	return parseSizes(s, "--plan-n", 1)
}
