package main

import (
	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
)

// foreignFiles returns the leftovers that no crashed write can have left
// (atomicfile.CheckLeftover refuses them), never nil, and what each is in
// words ("a directory", "a FIFO", "a symlink", …) for the text output.
func foreignFiles(fsys afero.Fs, leftovers []string) (foreign []string, kinds map[string]string) {
	foreign, kinds = []string{}, map[string]string{}
	for _, l := range leftovers {
		if kind := atomicfile.LeftoverKind(fsys, l); kind != "" {
			foreign = append(foreign, l)
			kinds[l] = kind
		}
	}
	return foreign, kinds
}
