package main

import (
	"fmt"
	"strings"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
)

// The harness reports replays as data (a seed, the sizing, an artifact's
// fields) and as the library call that re-runs them; the CLI writes them
// as its own command lines here, for the targets it can name (the built-in
// ones and "mutant:<name>").

// verifyReplay is `scopemig verify` re-running target with the flags that
// decided its cases; a zero flag is left out (its default applies again).
func verifyReplay(target string, cfg harness.Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "scopemig verify --target %s", shellQuote(target))
	if cfg.Seed != 0 {
		fmt.Fprintf(&b, " --seed %d", cfg.Seed)
	}
	if cfg.Depth != 0 {
		fmt.Fprintf(&b, " --depth %d", cfg.Depth)
	}
	if cfg.Checks != 0 {
		fmt.Fprintf(&b, " --checks %d", cfg.Checks)
	}
	return b.String()
}

// cliReplays rewrites the replay lines of a Verify report of a target the
// CLI names as `scopemig verify` commands.
func cliReplays(rep *harness.Report, cfg harness.Config) {
	cfg.Seed = rep.Seed
	line := verifyReplay(rep.Target, cfg)
	for i := range rep.Violations {
		rep.Violations[i].Replay = line
	}
	for i := range rep.Inconclusive {
		rep.Inconclusive[i].Replay = line
	}
}

// cliMutantReplay rewrites a mutant result's replay line as the `scopemig
// verify --target mutant:<name>` command that re-runs it.
func cliMutantReplay(res *mutants.Result, cfg harness.Config) {
	if res.Replay == "" && res.Violation == nil {
		return
	}
	line := verifyReplay("mutant:"+res.Name, cfg)
	res.Replay = line
	if res.Violation != nil {
		v := *res.Violation
		v.Replay = line
		res.Violation = &v
	}
}

// soakReplay is `scopemig replay` re-running artifact a's case.
func soakReplay(a harness.Artifact) string {
	line := fmt.Sprintf("scopemig replay --target %s --seed %d --case %d --max-keys %d --depth %d", shellQuote(a.Target), a.Seed, a.Case, a.MaxKeys, a.Depth)
	if a.CrashAfterError {
		line += " --crash-after-error"
	}
	return line
}
