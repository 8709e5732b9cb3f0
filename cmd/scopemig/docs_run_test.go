//go:build linux

package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// docCommandsEnv selects what TestDocCommandsRun runs: unset, the fast
// commands (make test); "all", every command (make doc-commands).
const docCommandsEnv = "SCOPEMIG_DOC_COMMANDS"

// fastTimeout bounds one command that is not in docRunSlow. The fast ones
// take well under 5 s each on an idle machine; the bound is generous so
// that a loaded machine does not fail the test.
const fastTimeout = 90 * time.Second

// docRunSkip lists the doc commands that are never run, each with the
// reason. Besides these, a synopsis (a line with placeholders: F, NAME,
// [--x], a|b, <run id>, …) is not run: it names no value to run with, and
// TestDocCommands checks its flags one by one.
var docRunSkip = map[string]string{
	"go test":             "names the tool in prose; not a command line",
	"go vet":              "names the tool in prose; not a command line",
	"go test -c":          "names the flag in prose; not a command line",
	"go test -cpuprofile": "names the flag in prose; not a command line",
	"benchstat":           "names golang.org/x/perf's tool in prose; not a command line",
	"benchstat old.txt new.txt": "golang.org/x/perf's tool is not part of this module (installing it needs the network); " +
		"old.txt and new.txt are the reader's own benchmark outputs",
	"make doc-commands":            "would run this test inside itself",
	"scopemig bench --child-sleep": "the hidden child of the kill-rate measurement, quoted as such: it sleeps until killed",
	"scopemig explore --exec":      "names the subcommand in prose; its synopsis (docs/cli.md) is checked flag by flag",
	"scopemig explore --exec --from testdata/toolhive-v0.47.0 --mode process --point 149 --on-conflict keep --image a295f8ed27a4 -- ./thvdriver {dir}/secrets_encrypted {dir}/config.yaml": "" +
		"the replay line of a sample report: ./thvdriver is the reader's build of interop/cmd/thvdriver in the directory of that run; " +
		"docs/toolhive-crash-findings.md runs the same exploration from /tmp/thvdriver",
}

// slowCommand is a doc command that only make doc-commands runs.
type slowCommand struct {
	reason  string
	timeout time.Duration
}

// docRunSlow lists the doc commands too slow for make test (they take
// seconds to hours, or run the suite itself), with the reason and a
// bound; make doc-commands runs them.
var docRunSlow = map[string]slowCommand{
	// The suite and the other make targets.
	"make test":                        {"runs the whole suite (< 3 min), which runs this test", 10 * time.Minute},
	"make race":                        {"the suite under the race detector (many minutes)", 40 * time.Minute},
	"make cover":                       {"the whole suite with coverage (minutes)", 10 * time.Minute},
	"make lint":                        {"golangci-lint over the module (minutes)", 20 * time.Minute},
	"make bench":                       {"every Go benchmark (minutes)", 30 * time.Minute},
	"make cross":                       {"go vet for two other systems (a minute or more)", 10 * time.Minute},
	"make fuzz":                        {"every fuzz target for 30 s each", 15 * time.Minute},
	"make fuzz FUZZTIME=30s":           {"every fuzz target for 30 s each", 15 * time.Minute},
	"make fuzz FUZZTIME=10s":           {"every fuzz target for 10 s each", 10 * time.Minute},
	"make soak DURATION=10m":           {"a 10-minute soak", 15 * time.Minute},
	"make soak DURATION=30m SHARD=0/1": {"a 30-minute soak", 40 * time.Minute},
	"make interop":                     {"builds and runs the interop module against ToolHive v0.47.0 (minutes)", 40 * time.Minute},
	"make upstream":                    {"builds ToolHive's glue twice and explores both (about 5 minutes)", 30 * time.Minute},
	"make upstream-revert":             {"builds and checks the series without each patch in turn (many minutes)", 60 * time.Minute},
	"make upstream-revert UPSTREAM_REVERT=0004": {"builds and checks the series without 0004 (minutes)", 30 * time.Minute},
	// verify runs the whole harness (tens of seconds).
	"go run ./cmd/scopemig verify":             {"the whole harness (tens of seconds)", 10 * time.Minute},
	"go run ./cmd/scopemig verify --json":      {"the whole harness (tens of seconds)", 10 * time.Minute},
	"scopemig verify":                          {"the whole harness (tens of seconds)", 10 * time.Minute},
	"scopemig verify --seed 1":                 {"the whole harness (tens of seconds)", 10 * time.Minute},
	"scopemig verify -p 1":                     {"the whole harness on one worker (tens of seconds)", 10 * time.Minute},
	"GOMAXPROCS=1 scopemig verify":             {"the whole harness on one core (tens of seconds)", 10 * time.Minute},
	"GOMAXPROCS=2 scopemig verify":             {"the whole harness (tens of seconds)", 10 * time.Minute},
	"GOMAXPROCS=1 scopemig verify -p 1 --json": {"the whole harness on one core (tens of seconds)", 10 * time.Minute},
	// bench measures for seconds to minutes by design.
	"scopemig bench":              {"measures for minutes", 20 * time.Minute},
	"go run ./cmd/scopemig bench": {"measures for minutes", 20 * time.Minute},
	"scopemig bench --json":       {"measures for minutes", 20 * time.Minute},
	"scopemig bench --n 10,100,1000,10000 --reps 1 --explore 2s --kills 100":              {"measures for minutes", 20 * time.Minute},
	"scopemig bench --n 100,1000":                                                         {"measures for minutes", 20 * time.Minute},
	"scopemig bench --n 10 --reps 1 --explore 3s --kills 100":                             {"measures for a minute", 20 * time.Minute},
	"scopemig bench --n 10 --reps 1 --explore 10s --gogc 400":                             {"measures for a minute", 20 * time.Minute},
	"go build -o scopemig ./cmd/scopemig && ./scopemig bench --n 100,1000,10000 --reps 3": {"measures for minutes", 20 * time.Minute},
	"scopemig bench --n 100 --reps 1":                                                     {"measures for a minute", 20 * time.Minute},
	"scopemig bench --n 100 --reps 1 --explore 2s --kills 50 --gogc 400":                  {"measures for a minute", 20 * time.Minute},
	"scopemig bench --n 10 --reps 1 --explore 2s --kills 100 --gogc 400 --plan-n none":    {"measures for a minute", 20 * time.Minute},
	// Go benchmarks and tests of whole packages.
	"go test ./harness/": {"the harness package's tests (a minute)", 10 * time.Minute},
	"go test -run '^$' -bench 'BenchmarkMigrate' -benchtime 3x ./impl/migrate/":                 {"a benchmark", 10 * time.Minute},
	"go test -run '^$' -bench 'BenchmarkToolHiveAlgo' -benchtime 3x ./impl/migrate/":            {"a benchmark", 10 * time.Minute},
	"go test -run '^$' -bench 'CrashStates$' -cpu 1 ./harness/":                                 {"a benchmark", 10 * time.Minute},
	"GOGC=400 go test -run '^$' -bench 'CrashStates|RealProcessKill' ./harness/":                {"a benchmark", 10 * time.Minute},
	"go test -bench 'CrashStates|RealProcessKill' ./harness/":                                   {"a benchmark after the harness's tests", 15 * time.Minute},
	"go test -run '^$' -bench 'BenchmarkMigrate/N=(1000|10000)$' -benchtime 3x ./impl/migrate/": {"a benchmark", 10 * time.Minute},
	"cd interop && go test -run '^$' -bench 'Migrate/N=(100|1000)$' -benchmem .":                {"a benchmark of the interop module", 15 * time.Minute},
	"cd interop && go test -run '^$' -bench UpstreamMigrate -benchtime 1x .":                    {"builds ToolHive's glue twice, then v0.47.0 takes about 40 s at N=1,000", 20 * time.Minute},
	"SCOPEMIG_WRITE_SECURITY_DOC=1 go test ./cmd/scopemig -run TestHostileInputs":               {"compiles this package's tests in the copy (tens of seconds)", 10 * time.Minute},
	// ToolHive's own migration under the syscall-level explorer.
	"cd interop && go build -o /tmp/thvdriver ./cmd/thvdriver && cd ..":                                                                      {"builds a binary that links ToolHive (minutes when the cache is cold)", 15 * time.Minute},
	"go run ./cmd/scopemig explore --exec --from testdata/toolhive-v0.47.0 --      /tmp/thvdriver {dir}/secrets_encrypted {dir}/config.yaml": {"152 real runs of the driver (30 s to a minute)", 10 * time.Minute},
	// Soaks run for their --duration.
	"scopemig soak --real --duration 60s --seed 1":                        {"a 60 s soak", 5 * time.Minute},
	"scopemig soak --duration 20s --seed 1 --report r.json --junit r.xml": {"a 20 s soak", 5 * time.Minute},
}

// docScript is the commands of one fenced block (or one code span), run
// in order by one shell so that a variable or a cd carries over, as in the
// reader's terminal.
type docScript struct {
	file string
	line int
	cmds []docCommand
}

func (s docScript) name() string { return fmt.Sprintf("%s:%d", filepath.Base(s.file), s.line) }

// docCommandClass is what TestDocCommandsRun does with one command.
type docCommandClass struct {
	skip    string        // not run, for this reason
	slow    string        // run by make doc-commands only, for this reason
	timeout time.Duration // when run
}

// quotedPart matches a quoted part of a command line: what is quoted is a
// value (a -bench pattern with "|", a password), never a placeholder.
var quotedPart = regexp.MustCompile(`'[^']*'|"[^"]*"`)

// isSynopsis reports whether text is a synopsis rather than a command: a
// "…", or an unquoted word that is a placeholder.
func isSynopsis(text string) bool {
	if strings.Contains(text, "…") {
		return true
	}
	for _, w := range strings.Fields(quotedPart.ReplaceAllString(text, "quoted")) {
		if placeholder.MatchString(w) {
			return true
		}
	}
	return false
}

func classify(c docCommand) docCommandClass {
	if r, ok := docRunSkip[c.text]; ok {
		return docCommandClass{skip: r}
	}
	if isSynopsis(c.text) {
		return docCommandClass{skip: "a synopsis (placeholders); TestDocCommands checks its flags"}
	}
	if s, ok := docRunSlow[c.text]; ok {
		return docCommandClass{slow: s.reason, timeout: s.timeout}
	}
	if reason, ok := slowByRule(c.text); ok {
		return docCommandClass{slow: reason, timeout: 20 * time.Minute}
	}
	return docCommandClass{timeout: fastTimeout}
}

// fastBudget is what one script of fast commands should take in make test:
// a command that takes longer belongs in docRunSlow (or matches
// slowByRule). Exceeding it is logged, not failed: on a loaded machine a
// `go run` alone can take longer, and wall time is no test verdict.
const fastBudget = 30 * time.Second

// slowByRule classifies the commands that are slow by what they are, so
// that a new one added to the docs does not slow make test before anyone
// lists it: scopemig bench (it measures for seconds per row), a soak that
// runs for its --duration (one minute by default) unless it soaks a mutant
// (it stops at the first failure), verify of every target, and a Go
// benchmark.
func slowByRule(text string) (string, bool) {
	words := strings.Fields(text)
	for len(words) > 0 && regexp.MustCompile(`^[A-Z_]+=`).MatchString(words[0]) {
		words = words[1:]
	}
	switch {
	case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/scopemig":
		words = words[3:]
	case len(words) >= 1 && (words[0] == "scopemig" || words[0] == "./scopemig"):
		words = words[1:]
	case len(words) >= 2 && words[0] == "go" && words[1] == "test" && slices.Contains(words, "-bench"):
		return "a Go benchmark", true
	default:
		return "", false
	}
	if len(words) == 0 {
		return "", false
	}
	mutant := slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, "mutant:") })
	switch words[0] {
	case "bench":
		return "bench measures for seconds per row", true
	case "verify":
		if !mutant {
			return "verify runs the whole harness (seconds to tens of seconds)", true
		}
	case "soak":
		if mutant {
			return "", false
		}
		d := time.Minute
		if i := slices.Index(words, "--duration"); i >= 0 && i+1 < len(words) {
			if v, err := time.ParseDuration(words[i+1]); err == nil {
				d = v
			}
		}
		if d == 0 || d >= 5*time.Second {
			return "a soak runs for its --duration", true
		}
	}
	return "", false
}

// docScripts groups the commands by fenced block; a code span is a script
// of its own.
func docScripts(cmds []docCommand) []docScript {
	var out []docScript
	for _, c := range cmds {
		if n := len(out); c.block > 0 && n > 0 && out[n-1].file == c.file && out[n-1].line == c.block {
			out[n-1].cmds = append(out[n-1].cmds, c)
			continue
		}
		line := c.block
		if line == 0 {
			line = c.line
		}
		out = append(out, docScript{file: c.file, line: line, cmds: []docCommand{c}})
	}
	return out
}

// TestDocCommandsRun runs every shell command of README.md and docs/*.md
// verbatim, as bash runs it, and checks its exit status: 0, unless the doc
// marks the command with a trailing "# exit N" (inside the fence line or
// the code span), which then must be its status; the replay line of a
// sample report must exit 1 (it reproduces a failure).
//
// Each fenced block is one bash script (variables, exports and cd carry
// over from line to line); each code span of the prose is a script of its
// own. Every script runs in a sandbox:
//   - HOME is a fresh directory, XDG_CONFIG_HOME and XDG_DATA_HOME under it
//     hold the ToolHive v0.47.0 fixture where ToolHive looks for it, and
//     TOOLHIVE_SECRETS_PASSWORD is the fixture's password;
//   - a scopemig binary built from this tree is first on PATH;
//   - the working directory is a copy of this tree (without .git), so a
//     command that writes files (a report, an artifact, a binary) leaves
//     the tree alone; the copy has a fixed path per tree and mode so that
//     the Go build cache, which keys packages by directory, serves go run
//     in it (a lock keeps two runs of one tree and mode apart);
//   - the Go caches (GOCACHE, GOMODCACHE, GOPATH) and the user cache
//     directory stay the machine's: they are caches, not inputs.
//
// make test runs the fast commands; make doc-commands
// (SCOPEMIG_DOC_COMMANDS=all) runs all of them, the slow ones (docRunSlow)
// too. A command is never dropped silently: it is run, or it is a
// synopsis, or docRunSkip names it with a reason; an entry of docRunSkip
// or docRunSlow that names no doc command fails the test.
func TestDocCommandsRun(t *testing.T) {
	all := os.Getenv(docCommandsEnv) == "all"
	if v := os.Getenv(docCommandsEnv); v != "" && !all {
		t.Fatalf("%s=%q: the only value is \"all\"", docCommandsEnv, v)
	}
	cmds := docCommands(t)
	seen := map[string]bool{}
	for _, c := range cmds {
		seen[c.text] = true
	}
	for text := range docRunSkip {
		if !seen[text] {
			t.Errorf("docRunSkip names %q, which no doc shows", text)
		}
	}
	for text := range docRunSlow {
		if !seen[text] {
			t.Errorf("docRunSlow names %q, which no doc shows", text)
		}
	}

	type job struct {
		name  string
		cmds  []docCommand
		limit time.Duration
	}
	var (
		jobs                   []job
		skipped, deferred, dup int
		single                 = map[string]docCommand{} // a code span already run, by text
	)
	for _, s := range docScripts(cmds) {
		var run []docCommand
		var limit time.Duration
		for _, c := range s.cmds {
			cl := classify(c)
			switch {
			case cl.skip != "":
				skipped++
				t.Logf("skip %s (%s)", c, cl.skip)
			case cl.slow != "" && !all:
				deferred++
				t.Logf("slow %s (%s): make doc-commands runs it", c, cl.slow)
			default:
				run = append(run, c)
				limit += cl.timeout
			}
		}
		if len(run) == 0 {
			continue
		}
		// A command alone in its script (a code span, a one-line block)
		// depends on nothing before it: the same text with the same
		// expectation runs once.
		if len(run) == 1 && len(s.cmds) == 1 {
			if first, ok := single[run[0].text]; ok && first.exit == run[0].exit {
				dup++
				t.Logf("same %s (run as %s)", run[0], first)
				continue
			}
			single[run[0].text] = run[0]
		}
		jobs = append(jobs, job{name: s.name(), cmds: run, limit: limit})
	}
	// The short ones first, so that a long run reports most of them early.
	slices.SortStableFunc(jobs, func(a, b job) int { return cmp.Compare(a.limit, b.limit) })
	mode := "fast"
	if all {
		mode = "all"
	}
	sb := newDocSandbox(t, mode)
	ran := 0
	for _, j := range jobs {
		ran += len(j.cmds)
		t.Run(j.name, func(t *testing.T) { sb.runScript(t, j.cmds) })
	}
	t.Logf("%d commands run, %d repeats of a command run once, %d skipped (listed above), %d slow ones left to make doc-commands",
		ran, dup, skipped, deferred)
}

// docSandbox is what every script of one test run shares: the binary and
// the copy of the tree.
type docSandbox struct {
	repo string // the copy of the tree, the scripts' working directory
	env  []string
}

func newDocSandbox(t *testing.T, mode string) *docSandbox {
	t.Helper()
	root, err := filepath.Abs(repoRoot)
	require.NoError(t, err)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "scopemig"), "./cmd/scopemig")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	sum := sha256.Sum256([]byte(root))
	repo := filepath.Join(os.TempDir(), "scopemig-docs-"+hex.EncodeToString(sum[:6])+"-"+mode)
	lockTree(t, repo+".lock")
	require.NoError(t, os.RemoveAll(repo))
	require.NoError(t, copyTree(root, repo))
	t.Cleanup(func() { _ = os.RemoveAll(repo) })

	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		// docCommandsEnv too: make test inside make doc-commands runs the fast set.
		if !strings.HasPrefix(k, "XDG_") && k != "HOME" && k != "PATH" && k != PasswordEnvVar && k != docCommandsEnv {
			env = append(env, kv)
		}
	}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		v, err := exec.Command("go", "env", k).Output()
		require.NoError(t, err)
		env = append(env, k+"="+strings.TrimSpace(string(v)))
	}
	cache, err := os.UserCacheDir()
	require.NoError(t, err)
	env = append(env, "XDG_CACHE_HOME="+cache, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return &docSandbox{repo: repo, env: env}
}

// lockTree holds an exclusive lock on path until the test ends, so that
// two runs on one tree do not share the copy.
func lockTree(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	require.NoError(t, err)
	require.NoError(t, syscall.Flock(int(f.Fd()), syscall.LOCK_EX))
	t.Cleanup(func() { _ = f.Close() })
}

// copyTree copies the regular files and directories under src to dst,
// without .git, keeping the permission bits.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, info.Mode().Perm())
		}
		return nil // .git is a file in a worktree; sockets and links are no source
	})
}

// home returns a fresh home directory with the ToolHive fixture installed
// at ToolHive's XDG paths, and the environment that points there.
func (sb *docSandbox) home(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	data, config := filepath.Join(home, ".local", "share"), filepath.Join(home, ".config")
	for dir, name := range map[string]string{data: "secrets_encrypted", config: "config.yaml"} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, name))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "toolhive"), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "toolhive", name), b, 0o600))
	}
	return append(slices.Clone(sb.env),
		"HOME="+home,
		"XDG_DATA_HOME="+data,
		"XDG_CONFIG_HOME="+config,
		"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
		PasswordEnvVar+"="+fixturePassword,
	)
}

// runScript runs cmds, in order, in one bash in a fresh home, and checks
// each one's exit status.
func (sb *docSandbox) runScript(t *testing.T, cmds []docCommand) {
	env := sb.home(t)
	status := t.TempDir()
	var script strings.Builder
	var limit time.Duration
	for i, c := range cmds {
		fmt.Fprintf(&script, "printf '\\n### %%s\\n' %s\n", shellQuote(c.String()))
		fmt.Fprintf(&script, "%s\n", c.text)
		fmt.Fprintf(&script, "echo $? >%s\n", shellQuote(filepath.Join(status, strconv.Itoa(i))))
		limit += classify(c).timeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir = sb.repo
	cmd.Env = env
	cmd.Stdin = nil
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // anything it left running
	}
	elapsed := time.Since(start).Round(10 * time.Millisecond)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Errorf("bash: %v", err)
	}
	if ctx.Err() != nil {
		t.Errorf("killed after %v (the bound of these commands)", limit)
	}
	allFast := !slices.ContainsFunc(cmds, func(c docCommand) bool { return classify(c).slow != "" })
	if allFast && elapsed > fastBudget {
		// A note, not a failure: wall time depends on the machine's load
		// (speed lives in benchmarks, never in timed assertions).
		t.Logf("took %v, more than a fast command should in make test (%v): if it is slow by nature, list it in docRunSlow with its reason", elapsed, fastBudget)
	}
	failed := false
	for i, c := range cmds {
		b, err := os.ReadFile(filepath.Join(status, strconv.Itoa(i)))
		if err != nil {
			t.Errorf("%s: did not finish", c)
			failed = true
			continue
		}
		got, err := strconv.Atoi(strings.TrimSpace(string(b)))
		require.NoError(t, err)
		if got != c.exit {
			t.Errorf("%s: exit %d, the doc says %d (mark a failing command with a trailing \"# exit N\")", c, got, c.exit)
			failed = true
		}
	}
	// A go test whose -run or -bench pattern matches nothing exits 0: it
	// ran nothing the doc says it runs.
	if bytes.Contains(out.Bytes(), []byte("no tests to run")) {
		t.Errorf("a go test command ran no test")
		failed = true
	}
	if slices.ContainsFunc(cmds, func(c docCommand) bool { return strings.Contains(c.text, " -bench ") }) &&
		!regexp.MustCompile(`(?m)^Benchmark`).Match(out.Bytes()) {
		t.Errorf("a go test -bench command ran no benchmark")
		failed = true
	}
	n := 1500 // shown with -v
	if failed || t.Failed() {
		n = 6000
	}
	t.Logf("%d command(s) in %v; output:\n%s", len(cmds), elapsed, tail(out.Bytes(), n))
}

// tail returns at most the last n bytes of b.
func tail(b []byte, n int) string {
	if len(b) > n {
		return "…" + string(b[len(b)-n:])
	}
	return string(b)
}
