package mutants

import (
	"context"
	"fmt"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// deleteFirstRestore is `legacy restore` done as two writes, the wrong way
// round: the quarantine key is deleted before the value is written to its
// destination, so a crash in between loses the value. Its semantics are
// otherwise the documented ones (model.Restore): a destination holding a
// different value is swapped into the next free slot, a taken --as is
// refused, an original key names its one slot.
func deleteFirstRestore(ctx context.Context, _ afero.Fs, p secrets.Provider, key, as string) error {
	sch := secrets.DefaultScheme()
	if key == "" || (as != "" && model.IsQuarantine(as)) {
		return fmt.Errorf("restore %q: not a quarantine key", key)
	}
	list, err := p.ListSecrets(ctx)
	if err != nil {
		return err
	}
	held := model.State{Secrets: map[string]string{}}
	for _, d := range list {
		held.Secrets[d.Key] = "" // ResolveQuarantine reads keys only
	}
	key, o := model.ResolveQuarantine(held, key)
	if o != model.Restored {
		return fmt.Errorf("restore: %s", o)
	}
	v, err := p.GetSecret(ctx, key)
	if err != nil {
		return err
	}
	dest := model.RestoreDestination(key, as)
	if dest == "" {
		return fmt.Errorf("restore %q: no destination", key)
	}
	cur, err := p.GetSecret(ctx, dest)
	had := err == nil
	if had && cur != v {
		if as != "" {
			return fmt.Errorf("restore %q: destination %q taken", key, as)
		}
		orig, _, _ := sch.ParseQuarantineKey(key)
		slot := ""
		for n := 1; ; n++ {
			q := sch.QuarantineKey(orig, n)
			if got, err := p.GetSecret(ctx, q); err != nil || got == cur {
				slot = q
				break
			}
		}
		if err := p.SetSecret(ctx, slot, cur); err != nil {
			return err
		}
	}
	if err := p.DeleteSecret(ctx, key); err != nil { // the bug: the slot goes first
		return err
	}
	return p.SetSecret(ctx, dest, v)
}

// restoreDeleteFirst: only the state machine runs legacy restore, so only
// its restore steps (crashed inside) can see it.
func restoreDeleteFirst() Mutant {
	return Mutant{
		Name:        "restore-delete-first",
		Description: "legacy restore deletes the quarantine key before it writes the value to its destination (a crash in between loses the value)",
		Expect:      []model.InvariantID{model.I2, model.I7},
		Target: harness.Target{Name: "mutant:restore-delete-first", Restore: deleteFirstRestore, Open: func(fsys afero.Fs) (secrets.Provider, error) {
			return encfile.Open(fsys, fixture.EncfilePath, []byte(fixture.TestPassword))
		}},
	}
}
