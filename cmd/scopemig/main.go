// Command scopemig migrates ToolHive secret stores to scoped keys (plan,
// migrate) and proves the migration crash-safe (verify, explore, soak,
// replay, bench). See docs/cli.md.
package main

import (
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func main() {
	// The explorer's live heap is a few MiB and it allocates fast: at the
	// default GC target the collector competes with the workers (see
	// docs/performance.md). A user's GOGC still wins.
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}
	os.Exit(writeError(os.Stderr, newRoot().Execute()))
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "scopemig",
		Short:         "Crash-safe migration of ToolHive's legacy secret keys, and the harness that proves it",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	root.InitDefaultVersionFlag() // now, not at Execute: the docs test looks flags up
	root.AddCommand(newVerifyCmd(), newPlanCmd(), newMigrateCmd(), newLegacyCmd())
	root.AddCommand(newBenchCmd())
	root.AddCommand(newSoakCmd(), newReplayCmd(), newExploreCmd(), newChildCmd())
	return root
}
