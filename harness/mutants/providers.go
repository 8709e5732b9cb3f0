package mutants

import (
	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

func brokenTarget(name string, f flaw) harness.Target {
	return harness.Target{Name: "mutant:" + name, Open: func(fsys afero.Fs) (secrets.Provider, error) {
		return openBroken(fsys, f)
	}}
}

// providerMutants are stores with one flawed write path, migrated by the
// project's own (correct) Runner.
func providerMutants() []Mutant {
	mk := func(name, desc string, f flaw, expect ...model.InvariantID) Mutant {
		return Mutant{Name: name, Description: desc, Expect: expect, Target: brokenTarget(name, f)}
	}
	return []Mutant{
		mk("inplace-write", "truncates and rewrites the store in place instead of an atomic replace", inPlace, model.I7),
		mk("rename-without-dir-fsync", "renames over the store without syncing the directory", noDirSync, model.I6),
		mk("rename-without-file-fsync", "renames a temp file whose data was never synced", noFileSync, model.I7, model.I6),
		mk("stray-temp-files", "writes a new temp file name each time and never removes leftovers", strayTemp, model.I4),
		mk("plaintext-staging", "stages the plaintext in a temp file before encrypting", plaintextTemp, model.I8),
		mk("world-readable", "leaves the store file 0644", worldReadable, model.I8),
		mk("plaintext-left-cleaned-on-open", "single-operation writes leave a plaintext copy that only the next open removes", plaintextLeft, model.I8),
	}
}
