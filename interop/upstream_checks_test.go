//go:build linux && amd64

package interop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore"
	"github.com/scopemig/scopemig/model"
)

// finding is one of ToolHive v0.47.0's failures, as a check of
// docs/upstream.md names it; each patch of interop/upstream removes one.
type finding string

const (
	fAckLost         finding = "I6: an acknowledged migration is lost on power loss"
	fConfigEmptied   finding = "I9: a process crash in the flag write empties config.yaml"
	fLostUpdate      finding = "lost update: a concurrent scoped write is overwritten by the bare value"
	fConflictDropped finding = "I2/I4: a conflicting bare value is dropped"
	fFailedStep      finding = "I3: a failed step is skipped and the flag is set over a legacy key"
	fLeftoverTemp    finding = "I4: a crashed write's temp file is never removed"
	fLeftoverLock    finding = "I4: a crash leaves a lock file behind"
	fFlagOverLegacy  finding = "I3: the flag is durable while legacy keys are not moved (power-partial)"
	fOther           finding = "another violation"
)

// patchFinding is the finding each patch removes: reverting it alone must
// bring it back (TestUpstreamRevert).
var patchFinding = map[string]finding{
	"0001": fAckLost,
	"0002": fConfigEmptied,
	"0003": fLostUpdate,
	"0004": fConflictDropped,
	"0005": fFailedStep,
	"0006": fLeftoverTemp,
	"0007": fLeftoverLock,
}

// v047Findings are the findings asserted on ToolHive v0.47.0 as released
// (docs/toolhive-crash-findings.md, interop/README.md). Its leftovers
// (temp and lock files) are hidden there behind the conflict's I4 at the
// first crash point: the explorer reports the smallest point per
// invariant and mode.
var v047Findings = []finding{fAckLost, fConfigEmptied, fLostUpdate, fConflictDropped, fFailedStep, fFlagOverLegacy}

// upstreamResult is what the checks found on one build.
type upstreamResult struct {
	Found        map[finding][]string // finding -> evidence (replay lines)
	Inconclusive []string
}

func (r *upstreamResult) add(f finding, evidence string) {
	if r.Found == nil {
		r.Found = map[finding][]string{}
	}
	r.Found[f] = append(r.Found[f], evidence)
}

// findings returns the findings, sorted.
func (r upstreamResult) findings() []finding {
	var out []finding
	for f := range r.Found {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// exploreThv runs scopemig's syscall-level explorer on b's driver, every
// mode, on the fixture (keep model), and classifies its violations.
func exploreThv(t *testing.T, b thvBuild, r *upstreamResult) sysexplore.Report {
	t.Helper()
	cfg := sysexplore.Config{
		From:    fixtureDir,
		Argv:    []string{b.Driver, "{dir}/" + secretsName, "{dir}/" + configName},
		Policy:  model.Keep,
		Env:     append(os.Environ(), "TOOLHIVE_SECRETS_PASSWORD="+password),
		WorkDir: t.TempDir(),
	}
	rep, err := sysexplore.Explore(context.Background(), cfg)
	require.NoError(t, err)
	t.Logf("%s: %d crash points, %d violations, %d inconclusive", b.Name, rep.Points, len(rep.Violations), len(rep.Inconclusive))
	r.Inconclusive = append(r.Inconclusive, rep.Inconclusive...)
	for _, v := range rep.Violations {
		f := classify(v)
		t.Logf("%s: [%s] %s %s point %d at %s: %s\n  replay: %s", b.Name, f, v.Invariant, v.Mode, v.Point, v.Syscall, v.Detail, v.Replay)
		r.add(f, v.Replay)
	}
	return rep
}

// classify names the finding of one explorer violation.
func classify(v sysexplore.Violation) finding {
	d := v.Detail
	switch {
	case v.Invariant == model.I9 && strings.Contains(d, "config.yaml is empty"):
		return fConfigEmptied
	case v.Invariant == model.I6 && onlyQuarantineMissing(d):
		return fConflictDropped // what keep quarantines is missing, nothing else
	case v.Invariant == model.I6 && strings.Contains(d, "power loss after exit 0"):
		return fAckLost
	case v.Invariant == model.I2 && strings.Contains(d, `legacy "BEARER_TOKEN_conflict" value`),
		v.Invariant == model.I4 && strings.Contains(d, `"__thv_legacy_BEARER_TOKEN_conflict" is <not found>`):
		return fConflictDropped
	case v.Invariant == model.I3 && v.Mode == faults.PowerPartial:
		return fFlagOverLegacy
	case v.Invariant == model.I4 && strings.HasPrefix(d, "files ["):
		extra := extraFiles(d)
		switch {
		case slices.ContainsFunc(extra, func(n string) bool { return strings.Contains(n, ".tmp-") }):
			return fLeftoverTemp
		case slices.ContainsFunc(extra, func(n string) bool { return strings.HasSuffix(n, ".lock") }):
			return fLeftoverLock
		}
	}
	return fOther
}

// fileSet matches the explorer's file-set detail: the files after the
// restart, then the files a run without crash leaves.
var fileSet = regexp.MustCompile(`^files \[([^\]]*)\] after a complete run, want \[([^\]]*)\]`)

// extraFiles returns the names a file-set detail has beyond the wanted ones.
func extraFiles(detail string) []string {
	m := fileSet.FindStringSubmatch(detail)
	if m == nil {
		return nil
	}
	want := strings.Fields(m[2])
	var extra []string
	for _, n := range strings.Fields(m[1]) {
		if !slices.Contains(want, n) {
			extra = append(extra, n)
		}
	}
	return extra
}

// onlyQuarantineMissing reports whether every difference in an I6 detail
// is a missing __thv_legacy_ key.
func onlyQuarantineMissing(detail string) bool {
	for _, part := range strings.Split(detail, "; ") {
		if !strings.Contains(part, `"__thv_legacy_`) || !strings.Contains(part, "<not found>") {
			return false
		}
	}
	return true
}

// runDriver runs b's driver on a store with env added; it returns the
// exit code (and fails the test if it cannot run).
func runDriver(t *testing.T, b thvBuild, secretsPath, configPath string, env ...string) int {
	t.Helper()
	cmd := exec.Command(b.Driver, secretsPath, configPath)
	cmd.Env = append(os.Environ(), append([]string{"TOOLHIVE_SECRETS_PASSWORD=" + password}, env...)...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Logf("%s: exit %d: %s", b.Name, ee.ExitCode(), strings.TrimSpace(string(out)))
		return ee.ExitCode()
	}
	require.NoError(t, err, "%s", out)
	return 0
}

// checkLostUpdate runs ToolHive's registry token rotation (cmd/thvwriter,
// its own process: ScopedProvider(registry).SetSecret) right before the
// migration's first write, after MigrateSystemKeys saw the scoped key
// absent, and ToolHive's config writer (UpdateConfigAtPath) at the same
// point. The rotated token must survive, the revoked bare one must be kept
// under the quarantine key (keep), and both config updates must be there.
func checkLostUpdate(t *testing.T, b thvBuild, r *upstreamResult) {
	t.Helper()
	secretsPath, configPath := lostUpdateStore(t)
	const newURL = "https://registry.rotated.invalid/registry.json"
	script := filepath.Join(t.TempDir(), "writers.sh")
	require.NoError(t, os.WriteFile(script, []byte(fmt.Sprintf("#!/bin/sh\nset -e\n%q secret %q registry %q\n%q config %q %q\n",
		b.Writer, secretsPath, rtName, b.Writer, configPath, newURL)), 0o700))
	hook, err := json.Marshal([]string{script})
	require.NoError(t, err)
	code := runDriver(t, b, secretsPath, configPath, "THVDRIVER_BEFORE_WRITE="+string(hook), "THVWRITER_VALUE="+rtRotated)
	require.Equal(t, 0, code, "%s: the migration fails with a concurrent writer", b.Name)
	got := listGet(t, thManager(t, secretsPath))
	cfg := thLoadConfig(t, configPath)
	require.True(t, cfg.SecretScopeMigration, "%s: flag", b.Name)
	require.Equal(t, newURL, cfg.RegistryUrl, "%s: ToolHive's concurrent config update was lost", b.Name)
	replay := "THVDRIVER_BEFORE_WRITE='[\"<thvwriter secret ... registry " + rtName + ">\"]' thvdriver SECRETS CONFIG"
	switch got[rtScoped] {
	case rtRotated:
		if got["__thv_legacy_"+rtName] != rtOld {
			r.add(fConflictDropped, replay+": the revoked bare value is under no quarantine key")
		}
	case rtOld:
		r.add(fLostUpdate, replay)
	default:
		t.Fatalf("%s: %s holds neither token", b.Name, rtScoped)
	}
	require.NotContains(t, got, rtName, "%s: the bare key is gone", b.Name)
}

// errorSweepStores are one-legacy-key stores (one key: ToolHive's order is
// fixed, so call N is the same call in every run): a stale bare key whose
// scoped key holds the same value, and a bare key not yet moved.
var errorSweepStores = []map[string]string{
	{"BEARER_TOKEN_same": "identical", "__thv_workloads_BEARER_TOKEN_same": "identical", "github-token": "user-value"},
	{"BEARER_TOKEN_fetch": "legacy-bearer-fetch", "github-token": "user-value"},
}

// errorSweepTexts are the injected errors: a plain failure, and one whose
// text says "not found" (as a third-party backend's error may).
var errorSweepTexts = []string{"injected failure", "vault not found"}

// errorSweepCalls bounds the failing call: a clean run makes at most 6
// provider calls on these stores; later calls fail nothing.
const errorSweepCalls = 8

// checkErrorSweep fails each provider call of ToolHive's glue in turn, on a
// provider without the one-transaction path (as 1Password), and checks:
// an exit 0 leaves no legacy key (I3, flag set ⇒ migrated); a failed run
// leaves the flag unset and a retry without failure gives Migrate(S0).
func checkErrorSweep(t *testing.T, b thvBuild, r *upstreamResult) {
	t.Helper()
	for si, s0 := range errorSweepStores {
		for _, text := range errorSweepTexts {
			for n := 1; n <= errorSweepCalls; n++ {
				secretsPath, configPath := sweepStore(t, s0)
				env := []string{"THVDRIVER_PROVIDER=external", fmt.Sprintf("THVDRIVER_FAIL=%d", n), "THVDRIVER_FAIL_TEXT=" + text}
				code := runDriver(t, b, secretsPath, configPath, env...)
				got := listGet(t, thManager(t, secretsPath))
				flag := thLoadConfig(t, configPath).SecretScopeMigration
				var left []string
				for k := range got {
					if _, ok := legacyTarget(k); ok {
						left = append(left, k)
					}
				}
				slices.Sort(left)
				if flag && len(left) > 0 {
					r.add(fFailedStep, fmt.Sprintf("store %d, exit %d: flag set over %q; replay: %s thvdriver SECRETS CONFIG", si, code, left, strings.Join(env, " ")))
					continue
				}
				if code == 0 {
					require.True(t, flag, "%s: exit 0 without the flag", b.Name)
					continue
				}
				require.False(t, flag, "%s: a failed run set the flag", b.Name)
				require.Equal(t, 0, runDriver(t, b, secretsPath, configPath, "THVDRIVER_PROVIDER=external"), "%s: retry", b.Name)
				want := model.Migrate(model.State{Secrets: s0}, model.Keep).Secrets
				require.Equal(t, want, listGet(t, thManager(t, secretsPath)), "%s: store %d after call %d failed (%q) and a retry", b.Name, si, n, text)
			}
		}
	}
}

// sweepStore writes s0 with ToolHive's EncryptedManager, beside the
// fixture's config, and returns the paths.
func sweepStore(t *testing.T, s0 map[string]string) (secretsPath, configPath string) {
	t.Helper()
	dir := t.TempDir()
	secretsPath, configPath = filepath.Join(dir, secretsName), filepath.Join(dir, configName)
	th := thManager(t, secretsPath)
	for k, v := range s0 {
		require.NoError(t, th.SetSecret(context.Background(), k, v))
	}
	copyFile(t, filepath.Join(fixtureDir, configName), configPath)
	return secretsPath, configPath
}

// checkUpstream runs every check on b.
func checkUpstream(t *testing.T, b thvBuild) upstreamResult {
	t.Helper()
	if err := sysexplore.PtraceWorks(); err != nil {
		t.Skipf("skipping: ptrace is not permitted here (%v); CI runs this as root", err)
	}
	var r upstreamResult
	exploreThv(t, b, &r)
	checkLostUpdate(t, b, &r)
	checkErrorSweep(t, b, &r)
	for f, ev := range r.Found {
		t.Logf("%s: FOUND %s (%d): %s", b.Name, f, len(ev), ev[0])
	}
	return r
}
