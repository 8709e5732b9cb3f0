//go:build linux && amd64

package sysexplore

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

const pylinks = "../../testdata/pylinks"

// linksConfig explores testdata/pylinks/<script> on from.
func linksConfig(t *testing.T, py, script, from string, args ...string) Config {
	t.Helper()
	s, err := filepath.Abs(filepath.Join(pylinks, script))
	require.NoError(t, err)
	return Config{
		From:      from,
		Argv:      append([]string{py, s, "migrate", "{dir}"}, args...),
		Dump:      []string{py, s, "dump", "{dir}"},
		Plaintext: true,
		WorkDir:   t.TempDir(),
	}
}

const linkStore = `{"secrets":{"user-key":"value-1"},"migrated":false}`

// flipStore is DIR/current -> v1, DIR/v1/store.json.
func flipStore(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(d, "v1"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(d, "v1", "store.json"), []byte(linkStore), 0o600))
	require.NoError(t, os.Symlink("v1", filepath.Join(d, "current")))
	return d
}

// A store keeping its previous version as a hard link (os.link) gets
// verdicts at every point of the power modes: the correct one passes; the
// one that rewrites in place, whose "backup" is the same inode, is caught
// under power-partial (a torn store and a torn backup; were the link
// replayed as a copy, the backup would hold the old store and hide it).
func TestExploreHardLinkBackup(t *testing.T) {
	needPtrace(t)
	py := python(t)
	from := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(from, "store.json"), []byte(linkStore), 0o600))

	cfg := linksConfig(t, py, "backup.py", from)
	cfg.Modes = []faults.Mode{faults.Power, faults.PowerPartial} // the replay's verdicts (the kernel needs no model)
	rep, err := Explore(context.Background(), cfg)
	require.NoError(t, err)
	require.Empty(t, rep.Inconclusive)
	require.Empty(t, rep.Violations)
	require.Contains(t, rep.Trace, "#1 link({dir}/store.json -> {dir}/store.json.bak) = 0")

	broken := linksConfig(t, py, "backup.py", from, "inplace")
	broken.Modes = []faults.Mode{faults.PowerPartial}
	rep, err = Explore(context.Background(), broken)
	require.NoError(t, err)
	require.Empty(t, rep.Inconclusive)
	v, ok := rep.Has(model.I7, faults.PowerPartial)
	require.True(t, ok, "%+v", rep.Violations)
	require.Contains(t, v.Syscall, "{dir}/store.json")
}

// A symlink flip (current -> v2 by rename of a new symlink) gets
// verdicts: with the directory fsync after the flip it passes; without it
// an exit 0 is not durable (I6 under power).
func TestExploreSymlinkFlip(t *testing.T) {
	needPtrace(t)
	py := python(t)
	cfg := linksConfig(t, py, "flip.py", flipStore(t))
	cfg.Modes = []faults.Mode{faults.Power, faults.PowerPartial}
	rep, err := Explore(context.Background(), cfg)
	require.NoError(t, err)
	require.Empty(t, rep.Inconclusive)
	require.Empty(t, rep.Violations)
	require.Contains(t, rep.Trace, "#8 symlink({dir}/current.tmp -> v2) = 0")

	broken := linksConfig(t, py, "flip.py", flipStore(t), "nodirsync")
	broken.Modes = []faults.Mode{faults.Power}
	rep, err = Explore(context.Background(), broken)
	require.NoError(t, err)
	require.Empty(t, rep.Inconclusive)
	v, ok := rep.Has(model.I6, faults.Power)
	require.True(t, ok, "%+v", rep.Violations)
	require.Equal(t, rep.Points+1, v.Point)
}
