package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"
)

// docCommand is one shell command shown in the docs.
type docCommand struct {
	file string
	line int
	text string
	// block is the line of the opening fence of the fenced block the
	// command is in; 0 for a code span of the prose.
	block int
	// exit is the exit status the doc shows (a trailing "# exit N"); 0
	// when it shows none.
	exit int
}

func (c docCommand) String() string { return fmt.Sprintf("%s:%d: %s", c.file, c.line, c.text) }

// assignment matches one VAR=value word of a command line; the value may
// be quoted.
const assignment = `[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|\S*)`

// commandStart matches the text of a shell command: scopemig (built or
// through go run), go, make, benchstat, cd, export, optionally after
// VAR=value assignments.
var commandStart = regexp.MustCompile(`^(` + assignment + `\s+)*(scopemig|\./scopemig|go|make|benchstat|cd|export)(\s|$)`)

// bareAssignment matches a fenced line that only sets shell variables
// (PY=$(…)); later lines of the block use them.
var bareAssignment = regexp.MustCompile(`^(?:[A-Za-z_][A-Za-z0-9_]*=\$\(.*\)|(` + assignment + `\s*)+)$`)

// exitMark is the convention by which a doc shows that a command fails:
// a trailing "# exit N" (in a fenced block or inside the code span).
var exitMark = regexp.MustCompile(`(?:^|\s)#\s*exit (\d+)\s*$`)

// inlineCode matches a `code span`.
var inlineCode = regexp.MustCompile("`([^`]+)`")

// docCommands returns every shell command of the docs: the lines of fenced
// blocks (sh, bash, console or unlabelled; a "$ " prompt, a "replay: "
// label and a trailing "# comment" are dropped; a line that only assigns
// variables counts) and the code spans of the prose that read as
// commands. In table rows "\|" is a "|". A trailing "# exit N" sets the
// exit status the command must end with (docs_run_test.go); a replay line
// of a sample report must exit 1, as it reproduces a failure.
func docCommands(t *testing.T) []docCommand {
	t.Helper()
	var out []docCommand
	add := func(file string, line, block int, text string) {
		text = strings.TrimSpace(text)
		text = strings.TrimPrefix(text, "$ ")
		exit := 0
		if _, after, ok := strings.Cut(text, "replay: "); ok {
			text = after
			exit = 1 // a replay reproduces a failure
		}
		if m := exitMark.FindStringSubmatch(text); m != nil {
			n, err := strconv.Atoi(m[1])
			require.NoError(t, err)
			exit = n
			text = strings.TrimSpace(text[:len(text)-len(m[0])])
		}
		if i := strings.Index(text, " # "); i >= 0 {
			text = strings.TrimSpace(text[:i])
		}
		if commandStart.MatchString(text) || (block > 0 && bareAssignment.MatchString(text)) {
			out = append(out, docCommand{file: file, line: line, text: text, block: block, exit: exit})
		} else {
			require.Zero(t, exit, "%s:%d: %q is marked with an exit status but is no command", file, line, text)
		}
	}
	for _, f := range docFiles(t) {
		inFence, shellFence, fenceLine := false, false, 0
		cont, contLine := "", 0 // a fenced line continued with "\\"
		for i, l := range readDoc(t, f) {
			if strings.HasPrefix(l, "```") {
				if !inFence {
					lang := strings.TrimSpace(strings.TrimPrefix(l, "```"))
					shellFence = slices.Contains([]string{"", "sh", "bash", "shell", "console"}, lang)
					fenceLine = i + 1
				}
				inFence = !inFence
				continue
			}
			if inFence {
				if !shellFence {
					continue
				}
				if cont == "" {
					contLine = i + 1
				}
				if body, ok := strings.CutSuffix(strings.TrimRight(l, " "), "\\"); ok {
					cont += body + " "
					continue
				}
				add(f, contLine, fenceLine, cont+l)
				cont = ""
				continue
			}
			if strings.HasPrefix(strings.TrimSpace(l), "|") {
				l = strings.ReplaceAll(l, `\|`, "|")
			}
			for _, m := range inlineCode.FindAllStringSubmatch(l, -1) {
				add(f, i+1, 0, m[1])
			}
		}
	}
	return out
}

// shellWords splits s as a shell splits words: blanks separate, quotes
// group (and are removed); "&&" is a word of its own.
func shellWords(s string) []string {
	var (
		words []string
		cur   strings.Builder
		quote rune
		in    bool
	)
	flush := func() {
		if in {
			words = append(words, cur.String())
		}
		cur.Reset()
		in = false
	}
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			flush()
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	flush()
	return words
}

// placeholder reports whether a word of a synopsis stands for a value the
// reader picks: F, NAME, <run id>, …, a list of alternatives, [optional].
var placeholder = regexp.MustCompile(`^[A-Z][A-Z_]*$|…|<|>|\||^\[|\]$|^\.\.\.$`)

// notOurs are the commands of other tools the docs show; what is checked
// of them instead is said here.
var notOurs = map[string]string{
	"benchstat": "golang.org/x/perf's tool, not part of this module",
	"export":    "a shell built-in (sets the password variable)",
}

// Every shell command in the docs is checked without running the slow
// ones (verify, soak, explore and bench take seconds to hours; make test
// runs them through their own tests):
//   - scopemig …, ./scopemig …, go run ./cmd/scopemig …: the subcommand
//     exists and the words parse with its real flags (cobra's own parser);
//     synopses with placeholders (F, [--x], a|b, …) are checked flag by
//     flag; a --target value must name a built-in target or a mutant;
//   - make T [V=x]: `make -n T V=x` succeeds and every V is a variable the
//     Makefile uses;
//   - go test/build/vet …: each package exists and each -run/-bench
//     pattern matches a function of that package (a test-only tree too:
//     interop);
//   - cd DIR: DIR exists (later words run there);
//   - benchstat, export: not ours (notOurs).
func TestDocCommands(t *testing.T) {
	cmds := docCommands(t)
	require.Greater(t, len(cmds), 40, "the docs show many commands: is the extractor still finding them?")
	for _, c := range cmds {
		if bareAssignment.MatchString(c.text) {
			continue // sets variables only: run by TestDocCommandsRun
		}
		dir := "."
		words := shellWords(c.text)
		for len(words) > 0 {
			end := slices.Index(words, "&&")
			if end < 0 {
				end = len(words)
			}
			simple := words[:end]
			if end < len(words) {
				words = words[end+1:]
			} else {
				words = nil
			}
			for len(simple) > 0 && regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`).MatchString(simple[0]) {
				simple = simple[1:] // an environment assignment
			}
			if len(simple) == 0 {
				continue
			}
			switch name := simple[0]; {
			case name == "scopemig" || name == "./scopemig":
				checkScopemig(t, c, simple[1:])
			case name == "go" && len(simple) > 2 && simple[1] == "run" && simple[2] == "./cmd/scopemig":
				checkScopemig(t, c, simple[3:])
			case name == "go":
				checkGo(t, c, dir, simple[1:])
			case name == "make":
				checkMake(t, c, simple[1:])
			case name == "cd":
				if len(simple) != 2 {
					t.Errorf("%s: cd takes one directory", c)
					break
				}
				dir = filepath.Join(dir, simple[1])
				assertDir(t, filepath.Join(repoRoot, dir), c)
			case notOurs[name] != "":
			default:
				t.Errorf("%s: no check for %q", c, name)
			}
		}
	}
}

// checkScopemig checks one scopemig command line against the real
// command tree.
func checkScopemig(t *testing.T, c docCommand, args []string) {
	t.Helper()
	root := newRoot()
	sub, rest, err := root.Find(args)
	if !assertNoError(t, err, c) {
		return
	}
	if sub == root && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		t.Errorf("%s: no subcommand %q", c, args[0])
		return
	}
	synopsis := slices.ContainsFunc(rest, placeholder.MatchString)
	if !synopsis {
		if err := sub.ParseFlags(rest); err != nil {
			t.Errorf("%s: %v", c, err)
			return
		}
		if v := sub.Flags().Lookup("target"); v != nil && v.Changed {
			checkTargetName(t, c, v.Value.String())
		}
		return
	}
	for _, w := range rest {
		if w == "--" {
			break // the words after are the explored command's
		}
		w = strings.Trim(w, "[]")
		if name, ok := strings.CutPrefix(w, "--"); ok {
			name, _, _ = strings.Cut(name, "=")
			if sub.Flags().Lookup(name) == nil {
				t.Errorf("%s: %s has no flag --%s", c, sub.CommandPath(), name)
			}
		}
	}
	// Alternatives of a --target synopsis (encfile|dirstore|all) are names too.
	for i, w := range rest {
		if strings.Trim(w, "[]") == "--target" && i+1 < len(rest) {
			for _, alt := range strings.Split(strings.Trim(rest[i+1], "[]"), "|") {
				if !placeholder.MatchString(alt) {
					checkTargetName(t, c, alt)
				}
			}
		}
	}
}

func assertNoError(t *testing.T, err error, c docCommand) bool {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", c, err)
		return false
	}
	return true
}

// checkTargetName checks that name is what --target accepts.
func checkTargetName(t *testing.T, c docCommand, name string) {
	t.Helper()
	if name == "all" {
		return
	}
	if _, err := resolveTarget(name); err != nil {
		t.Errorf("%s: %v", c, err)
	}
}

// checkMake checks a make command with a dry run.
func checkMake(t *testing.T, c docCommand, args []string) {
	t.Helper()
	mk, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	require.NoError(t, err)
	for _, a := range args {
		if v, _, ok := strings.Cut(a, "="); ok && !strings.Contains(string(mk), "$("+v+")") {
			t.Errorf("%s: the Makefile does not use %s", c, v)
		}
	}
	out, err := exec.Command("make", append([]string{"-n", "-C", repoRoot}, args...)...).CombinedOutput()
	if err != nil {
		t.Errorf("%s: make -n: %v\n%s", c, err, out)
	}
}

var testFunc = regexp.MustCompile(`(?m)^func ((?:Test|Benchmark|Fuzz|Example)\w*)\(`)

// checkGo checks a go command: its packages exist, and its -run and
// -bench patterns each match a function of those packages.
func checkGo(t *testing.T, c docCommand, dir string, args []string) {
	t.Helper()
	if len(args) == 0 {
		t.Errorf("%s: bare go", c)
		return
	}
	var pkgs, patterns []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-run" || a == "-bench" || a == "-fuzz":
			if i+1 < len(args) {
				patterns = append(patterns, args[i+1])
				i++
			}
		case a == "-o" || a == "-cpu" || a == "-benchtime" || a == "-count" || a == "-fuzztime" || a == "-timeout" || a == "-coverprofile":
			i++
		case strings.HasPrefix(a, "-"):
		case strings.HasPrefix(a, "."):
			pkgs = append(pkgs, a)
		}
	}
	var funcs []string
	for _, p := range pkgs {
		pdir := filepath.Join(repoRoot, dir, strings.TrimSuffix(p, "/..."))
		if !assertDir(t, pdir, c) {
			continue
		}
		files, err := filepath.Glob(filepath.Join(pdir, "*_test.go"))
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			for _, m := range testFunc.FindAllStringSubmatch(string(b), -1) {
				funcs = append(funcs, m[1])
			}
		}
	}
	for _, pat := range patterns {
		if placeholder.MatchString(pat) || pat == "^$" || pat == "." || len(pkgs) == 0 {
			continue
		}
		top, _, _ := strings.Cut(pat, "/") // the pattern of the top-level name
		re, err := regexp.Compile(top)
		if !assertNoError(t, err, c) {
			continue
		}
		if !slices.ContainsFunc(funcs, re.MatchString) {
			t.Errorf("%s: %q matches no test, benchmark or fuzz target of %v", c, pat, pkgs)
		}
	}
}

func assertDir(t *testing.T, dir string, c docCommand) bool {
	t.Helper()
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Errorf("%s: no directory %s", c, dir)
		return false
	}
	return true
}

// foreignFlags are flags the docs mention that belong to another program,
// with the file that must define them.
var foreignFlags = map[string]string{
	"broken": "testdata/pystore/pystore.py",
}

// Every --flag the docs mention is a flag of some scopemig command (or of
// the program foreignFlags names, which must mention it).
func TestDocFlagsExist(t *testing.T) {
	known := map[string]bool{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { known[f.Name] = true })
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(newRoot())
	flagWord := regexp.MustCompile(`(?:^|[\s\x60\[(])--([a-z][a-z0-9-]*)`)
	for _, f := range docFiles(t) {
		for i, l := range readDoc(t, f) {
			for _, m := range flagWord.FindAllStringSubmatch(l, -1) {
				if other, ok := foreignFlags[m[1]]; ok {
					b, err := os.ReadFile(filepath.Join(repoRoot, other))
					require.NoError(t, err)
					require.Contains(t, string(b), "--"+m[1], "%s:%d: --%s is %s's", f, i+1, m[1], other)
					continue
				}
				if !known[m[1]] {
					t.Errorf("%s:%d: --%s is no scopemig flag", f, i+1, m[1])
				}
			}
		}
	}
}
