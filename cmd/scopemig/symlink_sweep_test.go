package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/encfile"
)

// The dotfile layout on the simulated disk: config and store are relative
// symlinks into two directories of /home/u/dotfiles (stow packages), so
// that neither file's directory sync covers the other's.
const (
	sweepCfgLink     = "/home/u/.config/toolhive/config.yaml"
	sweepStoreLink   = "/home/u/.local/share/toolhive/secrets_encrypted"
	sweepCfgTarget   = "/home/u/dotfiles/config/toolhive-config.yaml"
	sweepStoreTarget = "/home/u/dotfiles/data/secrets_encrypted"
)

var sweepLinks = map[string]string{
	sweepCfgLink:   "../../dotfiles/config/toolhive-config.yaml",
	sweepStoreLink: "../../../dotfiles/data/secrets_encrypted",
}

// linkedDisk returns a durable simulated disk holding the fixture store
// and config in ~/dotfiles, reached through the two links.
func linkedDisk(t *testing.T) *faults.MemFS {
	t.Helper()
	d := faults.NewMemFS()
	for _, dir := range []string{"/home/u/.config/toolhive", "/home/u/.local/share/toolhive", "/home/u/dotfiles/config", "/home/u/dotfiles/data"} {
		require.NoError(t, d.MkdirAll(dir, 0o700))
	}
	for name, to := range map[string]string{"secrets_encrypted": sweepStoreTarget, "config.yaml": sweepCfgTarget} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, name))
		require.NoError(t, err)
		require.NoError(t, afero.WriteFile(d, to, b, 0o600))
	}
	for link, target := range sweepLinks {
		require.NoError(t, d.SymlinkIfPossible(target, link))
	}
	return d.CrashImage(faults.Process, nil) // everything durable
}

// sweepEnv runs the CLI on fsys with the XDG directories of the layout.
func sweepEnv(fsys afero.Fs) cliEnv {
	return testEnv(fsys, map[string]string{PasswordEnvVar: fixturePassword, "XDG_CONFIG_HOME": "/home/u/.config", "XDG_DATA_HOME": "/home/u/.local/share"})
}

// linkedState reads a disk of the layout: the links (which must still be
// the links they were), the store's content and the config document.
func linkedState(d *faults.MemFS) (store map[string]string, cfg map[string]any, err error) {
	for link, want := range sweepLinks {
		got, err := d.ReadlinkIfPossible(link)
		if err != nil || got != want {
			return nil, nil, fmt.Errorf("%s is no longer the link to %s: %q, %v", link, want, got, err)
		}
	}
	snap, err := encfile.Inspect(context.Background(), d, sweepStoreLink, []byte(fixturePassword))
	if err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	b, err := afero.ReadFile(d, sweepCfgLink)
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil || cfg == nil {
		return nil, nil, fmt.Errorf("config does not parse (%d bytes): %v", len(b), err)
	}
	return snap.Content(), cfg, nil
}

// paths lists a disk's entries, temp files apart.
func diskPaths(d *faults.MemFS) (paths, temps []string) {
	for p := range d.Files() {
		if atomicfile.IsTemp(p) {
			temps = append(temps, p)
			continue
		}
		paths = append(paths, p)
	}
	return paths, temps
}

// linkSweep is one crash sweep of migrate through the dotfile links: the
// crash-free result it must converge to, and what every crash image must
// keep.
type linkSweep struct {
	t          *testing.T
	s0, s1     map[string]string // the store before and after a migration
	cfgFields  map[string]any    // the config's fields other than the flag
	wantCfg    string            // the config a crash-free run writes
	wantPaths  []string          // the entries a crash-free run leaves
	images     int
	maxDepth   int
	nestedMode []faults.Mode // the modes of crashes during recovery
}

func withoutFlag(c map[string]any) map[string]any {
	c = maps.Clone(c)
	delete(c, "secret_scope_migration")
	return c
}

// opsOf counts the operations of a crash-free migrate on a copy of d.
func (w *linkSweep) opsOf(d *faults.MemFS) int {
	p := faults.NewFS(d.Clone(), nil)
	_, errOut, code := run(w.t, newMigrateCmdEnv, sweepEnv(p))
	require.Equal(w.t, 0, code, errOut)
	return p.Ops()
}

// sweep crashes a migrate run on d at every operation, in each mode,
// before and after it (after: at the first level only); checks each crash
// image; recurses into the recovery run up to maxDepth; and finally checks
// that a crash-free run converges. sched is the crash points so far.
func (w *linkSweep) sweep(d *faults.MemFS, modes []faults.Mode, depth int, sched []faults.CrashAt) {
	t := w.t
	ops := w.opsOf(d)
	afters := []bool{false}
	if depth == 1 {
		afters = append(afters, true)
	}
	for _, mode := range modes {
		for k := range ops {
			for _, after := range afters {
				crash := faults.CrashAt{Op: k, Mode: mode, Seed: uint64(k), After: after}
				at := append(slices.Clone(sched), crash)
				live := d.Clone()
				p := faults.NewFS(live, crash)
				_, _, _ = run(t, newMigrateCmdEnv, sweepEnv(p))
				require.True(t, p.Crashed(), "%v: the crash point is within the run", at)
				img, err := p.Image()
				require.NoError(t, err)
				w.images++
				w.check(img, at)
				if depth < w.maxDepth {
					w.sweep(img, w.nestedMode, depth+1, at)
				}
				w.converges(img, at)
				if mode == faults.Process {
					// The machine did not go down: the re-run finds the
					// crashed run's unsynced writes still pending, and must
					// make durable what it then reports (the flag a crash
					// set before its directory sync).
					w.converges(live, at)
				}
			}
		}
	}
}

// check is what every crash image must hold.
func (w *linkSweep) check(img *faults.MemFS, at []faults.CrashAt) {
	t := w.t
	st, cfg, err := linkedState(img.Clone())
	require.NoError(t, err, "%v", at)
	require.True(t, maps.Equal(st, w.s0) || maps.Equal(st, w.s1), "%v: the store holds its old or its migrated content (I7)", at)
	require.Equal(t, w.cfgFields, withoutFlag(cfg), "%v: every config field kept (I9)", at)
	if cfg["secret_scope_migration"] == true {
		require.Equal(t, w.s1, st, "%v: the flag is set only over migrated data (I3)", at)
	}
}

// converges re-runs migrate on a copy of img without a crash: exit 0 and
// exactly the crash-free result.
func (w *linkSweep) converges(img *faults.MemFS, at []faults.CrashAt) {
	t := w.t
	d := img.Clone()
	_, errOut, code := run(t, newMigrateCmdEnv, sweepEnv(faults.NewFS(d, nil)))
	require.Equal(t, 0, code, "%v: re-run: %s", at, errOut)
	st, _, err := linkedState(d)
	require.NoError(t, err, "%v", at)
	require.Equal(t, w.s1, st, "%v: converges (I4)", at)
	gotCfg, err := afero.ReadFile(d, sweepCfgTarget)
	require.NoError(t, err)
	require.Equal(t, w.wantCfg, string(gotCfg), "%v: the config a crash-free run writes", at)
	paths, temps := diskPaths(d)
	require.Empty(t, temps, "%v: no temp file left (I4)", at)
	require.ElementsMatch(t, w.wantPaths, paths, "%v: the entries of a crash-free run", at)
	// What a run that exited 0 reported must survive a power cut (I6): the
	// migrated store and the flag, synced in the targets' directories.
	st, cfg, err := linkedState(d.CrashImage(faults.Power, nil))
	require.NoError(t, err, "%v: power loss after exit 0", at)
	require.Equal(t, w.s1, st, "%v: power loss after exit 0 (I6)", at)
	require.Equal(t, true, cfg["secret_scope_migration"], "%v: power loss after exit 0 (I6)", at)
}

// TestCrashSweepThroughLinks crashes `scopemig migrate`, run through the
// config and store symlinks of a dotfile layout, at every filesystem
// operation, before and after it, in every crash mode, and again at every
// operation of the recovery run (before it, power loss), and
// checks each crash image: both links are still the same links; the store
// decrypts to its old or its migrated content (I7, no loss); the config
// parses and keeps every field (I9), and its flag is set only over a
// migrated store (I3). From every image a crash-free re-run succeeds and
// converges to exactly the crash-free result: same store content, same
// config bytes, the same entries and no temp file (I4), all of it durable:
// a power cut after its exit 0 keeps it (I6).
func TestCrashSweepThroughLinks(t *testing.T) {
	base := linkedDisk(t)
	s0, cfg0, err := linkedState(base)
	require.NoError(t, err)
	ref := base.Clone()
	_, errOut, code := run(t, newMigrateCmdEnv, sweepEnv(faults.NewFS(ref, nil)))
	require.Equal(t, 0, code, errOut)
	s1, cfg1, err := linkedState(ref)
	require.NoError(t, err)
	require.NotEqual(t, s0, s1, "the fixture has legacy keys to move")
	require.Equal(t, true, cfg1["secret_scope_migration"])
	wantCfg, err := afero.ReadFile(ref, sweepCfgTarget)
	require.NoError(t, err)
	wantPaths, temps := diskPaths(ref)
	require.Empty(t, temps)

	w := &linkSweep{t: t, s0: s0, s1: s1, cfgFields: withoutFlag(cfg0), wantCfg: string(wantCfg), wantPaths: wantPaths,
		maxDepth: 2, nestedMode: []faults.Mode{faults.Power}}
	if testing.Short() {
		w.maxDepth = 1
	}
	w.sweep(base, faults.Modes(), 1, nil)
	t.Logf("%d crash images (depth %d), through %s", w.images, w.maxDepth, strings.Join(slices.Sorted(maps.Keys(sweepLinks)), " and "))
}
