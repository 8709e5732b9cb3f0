package mutants

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/dirstore"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/internal/sim"
	"github.com/scopemig/scopemig/model"
)

// dirstoreMutants are broken variants of impl/dirstore (through the
// sim.DirstoreHooks in the context of their Open), migrated by the
// project's own per-key Runner path.
func dirstoreMutants() []Mutant {
	mk := func(name, desc string, h sim.DirstoreHooks, expect ...model.InvariantID) Mutant {
		t := builtin("dirstore")
		t.Name = "mutant:" + name
		// Seeded nonces, like the built-in target's: runs replay byte for byte.
		hooked := sim.WithRand(sim.WithDirstoreHooks(context.Background(), h), func() io.Reader { return rand.NewChaCha8([32]byte{}) })
		t.Open = func(fsys afero.Fs) (secrets.Provider, error) {
			return dirstore.OpenContext(hooked, fsys, fixture.DirstorePath, []byte(fixture.TestPassword))
		}
		return Mutant{Name: name, Description: desc, Expect: expect, Target: t}
	}
	return []Mutant{
		mk("dirstore-rename-without-dir-fsync", "dirstore: renames each secret file into place without syncing the directory",
			sim.DirstoreHooks{Write: renameNoDirSync}, model.I6),
		mk("dirstore-unescaped-name", "dirstore: uses the secret name itself as the file name (../x escapes, a/b fails)",
			sim.DirstoreHooks{FileName: func(name string) string { return name }}, model.I1, model.I6),
	}
}

// builtin returns the built-in target of that name (harness.Targets); a
// zero Target, which Verify rejects with ErrBadTarget, if there is none.
func builtin(name string) harness.Target {
	for _, t := range harness.Targets() {
		if t.Name == name {
			return t
		}
	}
	return harness.Target{}
}

// renameNoDirSync is atomicfile.Write without the final directory fsync.
func renameNoDirSync(fsys afero.Fs, path string, data []byte, perm os.FileMode) error {
	tmp := atomicfile.TempName(path)
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	n, err := f.Write(data)
	if err == nil && n < len(data) {
		err = io.ErrShortWrite
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := fsys.Chmod(tmp, perm); err != nil {
		return err
	}
	return fsys.Rename(tmp, path)
}
