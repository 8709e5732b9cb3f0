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
// symlinks into /home/u/dotfiles.
const (
	sweepCfgLink     = "/home/u/.config/toolhive/config.yaml"
	sweepStoreLink   = "/home/u/.local/share/toolhive/secrets_encrypted"
	sweepCfgTarget   = "/home/u/dotfiles/toolhive-config.yaml"
	sweepStoreTarget = "/home/u/dotfiles/secrets_encrypted"
)

var sweepLinks = map[string]string{
	sweepCfgLink:   "../../dotfiles/toolhive-config.yaml",
	sweepStoreLink: "../../../dotfiles/secrets_encrypted",
}

// linkedDisk returns a durable simulated disk holding the fixture store
// and config in ~/dotfiles, reached through the two links.
func linkedDisk(t *testing.T) *faults.MemFS {
	t.Helper()
	d := faults.NewMemFS()
	for _, dir := range []string{"/home/u/.config/toolhive", "/home/u/.local/share/toolhive", "/home/u/dotfiles"} {
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

// TestCrashSweepThroughLinks crashes `scopemig migrate`, run through the
// config and store symlinks of a dotfile layout, at every filesystem
// operation, before and after it, in every crash mode, and checks each
// crash image: both links are still the same links; the store decrypts to
// its old or its migrated content (I7, no loss); the config parses and
// keeps every field (I9), and its flag is set only over a migrated store
// (I3). Then a re-run on the image succeeds and converges to exactly the
// crash-free result: same store content, same config bytes, the same
// entries and no temp file (I4).
func TestCrashSweepThroughLinks(t *testing.T) {
	base := linkedDisk(t)
	s0, cfg0, err := linkedState(base)
	require.NoError(t, err)

	ref := base.Clone()
	refProc := faults.NewFS(ref, nil)
	_, errOut, code := run(t, newMigrateCmdEnv, sweepEnv(refProc))
	require.Equal(t, 0, code, errOut)
	ops := refProc.Ops()
	require.Greater(t, ops, 8)
	s1, cfg1, err := linkedState(ref)
	require.NoError(t, err)
	require.NotEqual(t, s0, s1, "the fixture has legacy keys to move")
	wantCfg, err := afero.ReadFile(ref, sweepCfgTarget)
	require.NoError(t, err)
	wantPaths, temps := diskPaths(ref)
	require.Empty(t, temps)
	require.Equal(t, true, cfg1["secret_scope_migration"])
	fields := func(c map[string]any) map[string]any {
		c = maps.Clone(c)
		delete(c, "secret_scope_migration")
		return c
	}

	images := 0
	for _, mode := range faults.Modes() {
		for k := range ops {
			for _, after := range []bool{false, true} {
				crash := faults.CrashAt{Op: k, Mode: mode, Seed: uint64(k), After: after}
				d := base.Clone()
				p := faults.NewFS(d, crash)
				_, _, _ = run(t, newMigrateCmdEnv, sweepEnv(p))
				require.True(t, p.Crashed(), "%s: the crash point is within the run", crash)
				img, err := p.Image()
				require.NoError(t, err)
				images++

				st, cfg, err := linkedState(img.Clone())
				require.NoError(t, err, "%s", crash)
				require.True(t, maps.Equal(st, s0) || maps.Equal(st, s1), "%s: the store holds its old or its migrated content (I7)", crash)
				require.Equal(t, fields(cfg0), fields(cfg), "%s: every config field kept (I9)", crash)
				if cfg["secret_scope_migration"] == true {
					require.Equal(t, s1, st, "%s: the flag is set only over migrated data (I3)", crash)
				}

				_, errOut, code := run(t, newMigrateCmdEnv, sweepEnv(faults.NewFS(img, nil)))
				require.Equal(t, 0, code, "%s: re-run: %s", crash, errOut)
				st, _, err = linkedState(img)
				require.NoError(t, err, "%s", crash)
				require.Equal(t, s1, st, "%s: converges (I4)", crash)
				gotCfg, err := afero.ReadFile(img, sweepCfgTarget)
				require.NoError(t, err)
				require.Equal(t, string(wantCfg), string(gotCfg), "%s: the config a crash-free run writes", crash)
				paths, temps := diskPaths(img)
				require.Empty(t, temps, "%s: no temp file left (I4)", crash)
				require.ElementsMatch(t, wantPaths, paths, "%s: the entries of a crash-free run", crash)
			}
		}
	}
	t.Logf("%d crash images over %d operations, through %s", images, ops, strings.Join(slices.Sorted(maps.Keys(sweepLinks)), " and "))
}
