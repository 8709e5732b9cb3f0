// Command scopemig migrates ToolHive secret stores to scoped keys and proves
// the migration crash-safe.
//
// TEMPORARY root command written by helper C (plan/migrate) so the package
// builds; the lead owns this file and replaces it.
package main

import (
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{Use: "scopemig", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(newPlanCmd(), newMigrateCmd())
	os.Exit(writeError(os.Stderr, root.Execute()))
}
