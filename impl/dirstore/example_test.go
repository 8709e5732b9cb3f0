package dirstore_test

import (
	"context"
	"fmt"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/dirstore"
	"github.com/scopemig/scopemig/impl/secrets"
)

// Example is the whole glue a provider author writes (docs/new-provider.md):
// a Target that opens the store on the harness's filesystem, and Verify.
func Example() {
	target := harness.Target{
		Name: "my-dirstore",
		Open: func(fsys afero.Fs) (secrets.Provider, error) {
			return dirstore.Open(fsys, "/home/user/.local/share/my-app/secrets.d", []byte("pw"))
		},
	}
	cfg := harness.Config{Seed: 42, Depth: 1, Checks: 10, Stores: 2, MaxKeys: 6}
	rep, err := harness.Verify(context.Background(), target, cfg)
	if err != nil {
		fmt.Println("bad target:", err)
		return
	}
	for _, v := range rep.Violations {
		fmt.Println(v) // invariant id, minimal counterexample, replay command
	}
	fmt.Println("violations:", len(rep.Violations))
	// Output: violations: 0
}
