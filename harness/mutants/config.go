package mutants

import (
	"bytes"
	"context"
	"os"
	"strings"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// noConfigLockFs hides ToolHive's lock files ("*.lock", fslock.AcquireFile)
// and keeps every directory lock: a config writer on it excludes other
// scopemig processes but not ToolHive's UpdateConfigAtPath. It also hides
// later writes into the config from the writer that read it (every Open of
// the config is a snapshot of its content), which blinds impl/config's
// last check before the rename (issue 21.4: it sees a ToolHive write in
// place since its read, lock or no lock): the flag writer is the one
// before issue 11, with neither the lock nor the check.
type noConfigLockFs struct {
	afero.Fs
	locks fslock.Locker // the process's own locks; nil: none
}

var _ fslock.Locker = noConfigLockFs{}

// Lock implements fslock.Locker.
func (n noConfigLockFs) Lock(ctx context.Context, name string) (func() error, error) {
	if n.locks == nil || strings.HasSuffix(name, ".lock") {
		return func() error { return nil }, nil
	}
	return n.locks.Lock(ctx, name)
}

// Open returns a snapshot of the config (a copy of its content at the
// time of the Open), any other file as it is.
func (n noConfigLockFs) Open(name string) (afero.File, error) {
	if name != fixture.ConfigPath {
		return n.Fs.Open(name)
	}
	data, err := afero.ReadFile(n.Fs, name)
	if err != nil {
		return nil, err
	}
	snap := afero.NewMemMapFs()
	if err := afero.WriteFile(snap, name, data, 0o600); err != nil {
		return nil, err
	}
	return snap.Open(name)
}

// LstatIfPossible keeps the wrapped filesystem's Lstat.
func (n noConfigLockFs) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	if l, ok := n.Fs.(afero.Lstater); ok {
		return l.LstatIfPossible(name)
	}
	fi, err := n.Stat(name)
	return fi, false, err
}

// configUnlocked is the project's Runner whose flag writer does not take
// ToolHive's config lock (config.yaml.lock), as impl/config once did: its
// read-modify-write interleaves with ToolHive's
// UpdateConfigAtPath (flock, read, modify, in-place write), so the flag or
// ToolHive's update is lost, or the config is replaced by a flag-only
// document when the flag writer reads the file ToolHive has just
// truncated. Only the concurrency phase's ToolHive scenario sees it.
func configUnlocked() Mutant {
	run := fixture.RunnerMigrator(model.Keep, config.NewCache(0)) // its runs share a config cache, as the built-in Runner's do
	return Mutant{
		Name:        "config-unlocked",
		Description: "sets the flag without ToolHive's config.yaml.lock (ToolHive's concurrent config update or the flag is lost)",
		Expect:      []model.InvariantID{model.I9},
		Target: encfileWith("mutant:config-unlocked", func(ctx context.Context, fsys afero.Fs, p secrets.Provider) error {
			locks, _ := fsys.(fslock.Locker)
			return run(ctx, noConfigLockFs{Fs: fsys, locks: locks}, p)
		}),
	}
}

// writeFlagOnlyConfig records the flag by writing a config that holds only
// the flag (atomically and durably), replacing every other field of the
// user's config: perKey's replaceConfig.
func writeFlagOnlyConfig(fsys afero.Fs) error {
	if err := atomicfile.MkdirAll(fsys, fixture.ConfigDir, 0o700); err != nil {
		return err
	}
	return atomicfile.Write(fsys, fixture.ConfigPath, []byte(model.ConfigFlag+": true\n"), 0o600)
}

// writeConfigInPlace records the flag the way ToolHive writes its config:
// read, append the flag, then truncate and rewrite config.yaml in place
// with no fsync (perKey's inPlaceConfig). A crash inside the write leaves
// an empty or torn config, and a power loss can leave it empty.
func writeConfigInPlace(fsys afero.Fs) error {
	old, err := afero.ReadFile(fsys, fixture.ConfigPath)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	f, err := fsys.OpenFile(fixture.ConfigPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	out := bytes.Replace(old, []byte(model.ConfigFlag+": false"), []byte(model.ConfigFlag+": true"), 1)
	if bytes.Equal(out, old) {
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, '\n')
		}
		out = append(out, model.ConfigFlag+": true\n"...)
	}
	_, werr := f.Write(out)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}
