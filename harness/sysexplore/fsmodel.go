package sysexplore

import (
	"fmt"

	"github.com/scopemig/scopemig/harness/internal/report"
)

// FSModel is the persistence model the power modes build images under.
type FSModel string

// The persistence models (docs/syscall-explore.md).
const (
	// Strict is the strict POSIX model: file data after an fsync of the
	// file, directory entries after an fsync of the directory.
	Strict FSModel = "strict"
	// Ext4Ordered is ext4's data=ordered with auto_da_alloc: metadata is
	// journaled in order and committed by any fsync; a rename over an
	// existing file, or a truncate to zero followed by close, forces the
	// file's data before the next commit.
	Ext4Ordered FSModel = "ext4-ordered"
)

// FSModels lists every model in order.
func FSModels() []FSModel { return []FSModel{Strict, Ext4Ordered} }

// ParseFS parses --fs: strict, ext4-ordered or both.
func ParseFS(s string) ([]FSModel, error) {
	switch s {
	case "", string(Strict):
		return []FSModel{Strict}, nil
	case string(Ext4Ordered):
		return []FSModel{Ext4Ordered}, nil
	case "both":
		return FSModels(), nil
	}
	return nil, fmt.Errorf("%w: unknown --fs %q (want strict, ext4-ordered or both)", report.ErrBadConfig, s)
}

// label names a model in a verdict.
func (f FSModel) label() string {
	if f == Strict {
		return "strict POSIX"
	}
	return string(f)
}

// fsVerdict says in which of the explored models an invariant fails in a
// power mode: "fails on strict POSIX, survives ext4-ordered", "fails on
// both"; "" when only one model was explored.
func fsVerdict(explored []FSModel, failing map[FSModel]bool) string {
	if len(explored) < 2 {
		return ""
	}
	var fails, survives []FSModel
	for _, f := range explored {
		if failing[f] {
			fails = append(fails, f)
		} else {
			survives = append(survives, f)
		}
	}
	switch {
	case len(survives) == 0:
		return "fails on both"
	case len(fails) == 1 && len(survives) == 1:
		return "fails on " + fails[0].label() + ", survives " + survives[0].label()
	}
	return ""
}
