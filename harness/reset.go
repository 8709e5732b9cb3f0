package harness

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// errNotReset reports an op-level store that does not hold what the
// harness reset it to through its own provider: the store ignored a write
// or a delete it acknowledged, a violation (I7), not a target error.
var errNotReset = errors.New("the store does not hold what it was reset to")

// resetExternal makes the store behind p (an op-level store, which the
// harness cannot replace by a fresh disk) hold exactly want: one Update
// when p is an Updater, else one DeleteSecrets of the keys want lacks and
// one SetSecret per missing or different value. It reads the store back
// and fails when it does not hold want.
func resetExternal(ctx context.Context, p secrets.Provider, want map[string]string) error {
	cur, err := dump(ctx, p)
	if err != nil {
		return fmt.Errorf("read the store to reset it: %w", err)
	}
	if maps.Equal(cur, want) {
		return nil
	}
	if err := applyReset(ctx, p, cur, want); err != nil {
		return err
	}
	got, err := dump(ctx, p)
	if err != nil {
		return fmt.Errorf("read the store after a reset: %w", err)
	}
	if !maps.Equal(got, want) {
		d := model.Diff(model.State{Secrets: want}, model.State{Secrets: got})
		return fmt.Errorf("%w: %s", errNotReset, d[0])
	}
	return nil
}

func applyReset(ctx context.Context, p secrets.Provider, cur, want map[string]string) error {
	if u, ok := p.(secrets.Updater); ok {
		return u.Update(ctx, func(m map[string]string) error {
			maps.DeleteFunc(m, func(k, _ string) bool { _, keep := want[k]; return !keep })
			maps.Copy(m, want)
			return nil
		})
	}
	var stale []string
	for _, k := range sortedKeys(cur) {
		if _, keep := want[k]; !keep {
			stale = append(stale, k)
		}
	}
	if len(stale) > 0 {
		if err := p.DeleteSecrets(ctx, stale); err != nil {
			return fmt.Errorf("reset: delete %d keys: %w", len(stale), err)
		}
	}
	for _, k := range sortedKeys(want) {
		if v, ok := cur[k]; ok && v == want[k] {
			continue
		}
		if err := p.SetSecret(ctx, k, want[k]); err != nil {
			return fmt.Errorf("reset: set %q: %w", k, err)
		}
	}
	return nil
}
