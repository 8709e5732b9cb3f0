package harness

import (
	"context"
	"os"
	"strconv"
	"testing"
)

// defaultRunSeed is the seed Run uses unless SCOPEMIG_SEED says otherwise:
// a plain `go test` explores the same cases every time, so CI is
// reproducible; set SCOPEMIG_SEED=random (or any number) to explore others.
const defaultRunSeed = 1

// Run verifies target from a Go test and fails t with each violation's
// minimal counterexample and replay line. A rapid phase that fails saves
// its minimal case as a fail file under testdata/rapid/<TestName>_… in the
// package directory, and every later run replays saved cases first: commit
// the files of real bugs as regression tests. SCOPEMIG_SEED (a number, or
// "random"), SCOPEMIG_CHECKS and SCOPEMIG_DEPTH override the defaults, so a
// failure replays with
//
//	SCOPEMIG_SEED=<seed> go test -run '^TestName$' ./pkg
func Run(t *testing.T, target Target) {
	t.Helper()
	cfg := Config{Seed: defaultRunSeed, FailFiles: t.Name()}
	switch env := os.Getenv("SCOPEMIG_SEED"); env {
	case "":
	case "random":
		cfg.Seed = 0 // Verify draws one and reports it
	default:
		s, err := strconv.ParseUint(env, 10, 64)
		if err != nil {
			t.Fatalf("SCOPEMIG_SEED=%q: want a number or \"random\"", env)
		}
		cfg.Seed = s
	}
	if n, err := strconv.Atoi(os.Getenv("SCOPEMIG_CHECKS")); err == nil {
		cfg.Checks = n
	}
	if n, err := strconv.Atoi(os.Getenv("SCOPEMIG_DEPTH")); err == nil {
		cfg.Depth = n
	}
	if testing.Short() {
		cfg.Checks, cfg.Stores = 10, 3
	}
	rep, err := Verify(context.Background(), target, cfg)
	if err != nil {
		t.Fatalf("harness: %v (replay: SCOPEMIG_SEED=%d go test -run '^%s$')", err, rep.Seed, t.Name())
	}
	t.Logf("%s: %d cases, %d crash states, %.1fs, seed %d", target.Name, rep.Cases, rep.CrashStates, rep.Seconds, rep.Seed)
	for _, v := range rep.Violations {
		t.Errorf("%s\n  replay: SCOPEMIG_SEED=%d go test -run '^%s$'", v, rep.Seed, t.Name())
	}
}
