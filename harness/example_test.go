package harness_test

import (
	"context"
	"fmt"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

// A provider author's whole glue: how to open the store on the Fs the
// harness hands over. The migration defaults to the project's Runner.
func ExampleVerify() {
	target := harness.Target{
		Name: "my-store",
		Open: func(fsys afero.Fs) (secrets.Provider, error) {
			return encfile.Open(fsys, "/srv/secrets/store.enc", []byte("example password"))
		},
	}
	rep, err := harness.Verify(context.Background(), target, harness.Config{Seed: 42, Checks: 5, Stores: 2})
	fmt.Println("error:", err)
	fmt.Println("violations:", len(rep.Violations))
	fmt.Println("explored crash states:", rep.CrashStates > 1000)
	// Output:
	// error: <nil>
	// violations: 0
	// explored crash states: true
}

// A broken migration is reported with its invariant id and a replay line:
// the Verify call that re-runs it (scopemig verify rewrites it as its own
// command line).
func ExampleVerify_mutant() {
	m, _ := mutants.ByName("flag-before-data")
	rep, _ := harness.Verify(context.Background(), m.Target, harness.Config{Seed: 1, StopAtFirst: true})
	v := rep.Violations[0]
	fmt.Println(v.Invariant, v.Name)
	fmt.Println(v.Replay)
	// Output:
	// I3 flag-after-data
	// harness.Verify(ctx, target "mutant:flag-before-data", harness.Config{Seed: 1, Depth: 2, Checks: 40, Stores: 12, MaxKeys: 12})
}
