package harness

import (
	"context"
)

// Replay re-runs the soak case a names (Target t, a.Config(), a.Case: an
// artifact Soak wrote, or one with just those fields set) exactly as Soak
// ran it, shrinking included, and returns its artifact: the case as drawn,
// and its failure when it fails (Failed). Compare it with a failing
// artifact with Same.
func Replay(ctx context.Context, t Target, a Artifact) (Artifact, error) {
	if err := t.validate(); err != nil {
		return Artifact{}, err
	}
	cfg := a.Config().withDefaults()
	r := newSoakRunner(context.WithoutCancel(ctx), t, cfg)
	r.describe = true
	res, err := r.run(cfg.Seed, a.Case)
	if err != nil {
		return Artifact{}, err
	}
	if res.art != nil {
		return *res.art, nil
	}
	return caseArtifact(r, cfg.Seed, res.desc), nil
}

// describeCase returns case index of a soak as drawn, without running its
// faults (the store is seeded and migrated once to count operations).
func describeCase(ctx context.Context, t Target, cfg SoakConfig, index int) (soakCase, error) {
	if err := t.validate(); err != nil {
		return soakCase{}, err
	}
	cfg = cfg.withDefaults()
	st, _, desc, err := newSoakRunner(context.WithoutCancel(ctx), t, cfg).plan(cfg.Seed, index)
	if err == nil {
		desc.Store = describeState(st.s0)
	}
	return desc, err
}
