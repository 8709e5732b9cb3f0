package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/harness"
)

func newReplayCmd() *cobra.Command {
	var (
		artifact string
		target   string
		cfg      harness.SoakConfig
		index    int
	)
	cmd := &cobra.Command{
		Use:   "replay",
		Short: "Re-run one soak case exactly (from --artifact, or --seed/--target/--case)",
		Long: `replay re-runs one soak case exactly as soak ran it, shrinking included,
and prints its violation. Exit: 1 when the failure is reproduced (with
--artifact: the same invariant, detail, schedule and counterexample), or
on any error; 0 when the case passes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var want *harness.Artifact
			if artifact != "" {
				a, err := harness.ReadArtifact(afero.NewOsFs(), artifact)
				if err != nil {
					return err
				}
				want, target, cfg, index = &a, a.Target, a.Config(), a.Case
			}
			return runReplay(cmd.Context(), cmd.OutOrStdout(), target, cfg, index, want)
		},
	}
	f := cmd.Flags()
	f.StringVar(&artifact, "artifact", "", "failure artifact written by soak")
	f.StringVar(&target, "target", "encfile", "built-in target, or mutant:<name>")
	f.Uint64Var(&cfg.Seed, "seed", 1, "base seed of the soak")
	f.IntVar(&index, "case", 0, "case index")
	f.IntVar(&cfg.MaxKeys, "max-keys", 200, "the soak's --max-keys")
	f.IntVar(&cfg.Depth, "depth", 4, "the soak's --depth")
	f.BoolVar(&cfg.CrashAfterError, "crash-after-error", false, "the soak's --crash-after-error")
	return cmd
}

func runReplay(ctx context.Context, w io.Writer, target string, cfg harness.SoakConfig, index int, want *harness.Artifact) error {
	if ctx == nil {
		ctx = context.Background()
	}
	t, err := resolveTarget(target)
	if err != nil {
		return err
	}
	desc, got, err := harness.ReplayCase(ctx, t, cfg, index)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "case %d of %s (seed %d): %d keys, schedule %v\n", desc.Index, t.Name, cfg.Seed, desc.Keys, desc.Schedule)
	if got == nil {
		fmt.Fprintln(w, "no violation: the case passes")
		if want != nil {
			fmt.Fprintf(w, "NOT reproduced: the artifact recorded %s %s\n", want.Invariant, want.Name)
		}
		return nil
	}
	fmt.Fprintf(w, "%s %s: %s\n", got.Invariant, got.Name, got.Detail)
	for _, l := range got.Counterexample {
		fmt.Fprintf(w, "    %s\n", l)
	}
	if want != nil && !harness.SameFailure(*want, *got) {
		fmt.Fprintf(w, "a DIFFERENT failure than the artifact's %s %s: %s\n", want.Invariant, want.Name, want.Detail)
		return fmt.Errorf("%w, but not the artifact's", errReproduced)
	}
	fmt.Fprintln(w, "reproduced")
	return errReproduced
}
