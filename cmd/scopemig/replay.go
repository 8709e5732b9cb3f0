package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/harness"
)

func newReplayCmd() *cobra.Command {
	var (
		artifact string
		args     harness.Artifact // the case, from the flags
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
				a, err := readArtifact(afero.NewOsFs(), artifact)
				if err != nil {
					return err
				}
				want, args = &a, a
			}
			return runReplay(cmd.Context(), cmd.OutOrStdout(), args, want)
		},
	}
	f := cmd.Flags()
	f.StringVar(&artifact, "artifact", "", "failure artifact written by soak")
	f.StringVar(&args.Target, "target", "encfile", "built-in target, or mutant:<name>")
	f.Uint64Var(&args.Seed, "seed", 1, "base seed of the soak")
	f.IntVar(&args.Case, "case", 0, "case index")
	f.IntVar(&args.MaxKeys, "max-keys", 200, "the soak's --max-keys")
	f.IntVar(&args.Depth, "depth", 4, "the soak's --depth")
	f.BoolVar(&args.CrashAfterError, "crash-after-error", false, "the soak's --crash-after-error")
	return cmd
}

// readArtifact reads the artifact file at path (its decoding checks the
// format version and the fields a replay needs: harness.ErrBadConfig).
func readArtifact(fsys afero.Fs, path string) (harness.Artifact, error) {
	var a harness.Artifact
	b, err := afero.ReadFile(fsys, path)
	if err != nil {
		return a, fmt.Errorf("artifact: %w", err)
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, fmt.Errorf("artifact %s: %w", path, err)
	}
	return a, nil
}

func runReplay(ctx context.Context, w io.Writer, args harness.Artifact, want *harness.Artifact) error {
	if ctx == nil {
		ctx = context.Background()
	}
	t, err := resolveTarget(args.Target)
	if err != nil {
		return err
	}
	got, err := harness.Replay(ctx, t, args)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "case %d of %s (seed %d): %d keys, schedule %v\n", got.Case, t.Name, got.Seed, got.Keys, got.Drawn)
	if !got.Failed() {
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
	if want != nil && !want.Same(got) {
		fmt.Fprintf(w, "a DIFFERENT failure than the artifact's %s %s: %s\n", want.Invariant, want.Name, want.Detail)
		return fmt.Errorf("%w, but not the artifact's", errReproduced)
	}
	fmt.Fprintln(w, "reproduced")
	return errReproduced
}
