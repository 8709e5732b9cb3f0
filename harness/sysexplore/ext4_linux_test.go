//go:build linux && (amd64 || arm64)

package sysexplore

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// The classic missing fsync before rename (temp file written, renamed
// over the store, directory synced, the temp file never synced): under
// strict POSIX the rename persists without the data (an empty store
// after an acknowledged run); ext4's auto_da_alloc forces the renamed
// file's data before the rename commits, so it survives ext4-ordered.
func TestExploreExt4RenameWithoutFsync(t *testing.T) {
	needPtrace(t)
	cfg := pyConfig(t, python(t), "nofsync")
	cfg.Modes = []faults.Mode{faults.Power, faults.PowerPartial}
	cfg.FS = FSModels()
	rep, err := Explore(context.Background(), cfg)
	require.NoError(t, err)
	require.Empty(t, rep.Inconclusive)
	v, ok := rep.HasIn(model.I6, faults.Power, Strict)
	require.True(t, ok, "%+v", rep.Violations)
	require.Equal(t, "fails on strict POSIX, survives ext4-ordered", v.Verdict)
	for _, v := range rep.Violations {
		require.Equal(t, Strict, v.FS, "nothing fails under ext4-ordered: %+v", v)
		require.Equal(t, "fails on strict POSIX, survives ext4-ordered", v.Verdict)
	}
	require.Len(t, rep.Modes, 4, "power and power-partial under each model")
	require.Equal(t, string(Ext4Ordered), rep.Modes[1].FS)
}

// A store rewritten in place (truncate, write, no fsync) fails on both
// models: nothing of an acknowledged run is durable, and a torn store is
// left on both (power-partial).
func TestExploreExt4InPlaceFailsBoth(t *testing.T) {
	needPtrace(t)
	cfg := pyConfig(t, python(t), "broken")
	cfg.Modes = []faults.Mode{faults.Power, faults.PowerPartial}
	cfg.FS = FSModels()
	rep, err := Explore(context.Background(), cfg)
	require.NoError(t, err)
	for _, fsm := range FSModels() {
		v, ok := rep.HasIn(model.I6, faults.Power, fsm)
		require.True(t, ok, "%s: %+v", fsm, rep.Violations)
		require.Equal(t, "fails on both", v.Verdict)
		_, ok = rep.HasIn(model.I7, faults.PowerPartial, fsm)
		require.True(t, ok, "a torn store under %s: %+v", fsm, rep.Violations)
	}
	v, _ := rep.HasIn(model.I6, faults.Power, Ext4Ordered)
	require.Positive(t, v.Point)
	require.Equal(t, Ext4Ordered, v.FS, "the violation names its persistence model (replay data)")
}
