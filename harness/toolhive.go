package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/afero"
	"gopkg.in/yaml.v3"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
)

// ToolHive's own processes, simulated for the concurrency phase: its config
// writer and its secrets writer. Both run on a simulated process (a
// faults.FS under the scheduler), so each of their filesystem operations
// and lock attempts is a scheduling point like the target's.

// errToolHiveConfig reports a config ToolHive's loader rejects: it writes
// nothing and returns an error.
var errToolHiveConfig = errors.New("toolhive: cannot load config")

// toolhiveUpdateConfig is ToolHive v0.47.0's config.UpdateConfigAtPath on
// fsys, setting the top-level field to value: flock on ConfigLockPath
// (fslock.AcquireFile: on a simulated disk, the disk's lock of that name),
// read and parse config.yaml (a missing file: ToolHive's defaults, here an
// empty document), apply the change, then os.WriteFile in place (open with
// O_WRONLY|O_CREATE|O_TRUNC, write, close; no fsync, no rename), then
// unlock.
//
// One deliberate difference: ToolHive decodes into its Config struct and so
// drops fields it does not know, and re-renders the fields it knows; this
// writer edits the document as a tree and keeps every other field as it
// is. Every field a concurrency case uses is one ToolHive knows, so the
// result is the same document, and a field that goes missing is always the
// other writer's doing.
func toolhiveUpdateConfig(ctx context.Context, fsys afero.Fs, field, value string) error {
	release, err := fslock.AcquireFile(ctx, fsys, fixture.ConfigLockPath)
	if err != nil {
		return fmt.Errorf("toolhive: failed to acquire lock: %w", err)
	}
	defer func() { _ = release() }()
	data, err := afero.ReadFile(fsys, fixture.ConfigPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %w", errToolHiveConfig, err)
	}
	out, err := setConfigField(data, field, value)
	if err != nil {
		return err
	}
	f, err := fsys.OpenFile(fixture.ConfigPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("toolhive: error writing config file: %w", err)
	}
	_, werr := f.Write(out)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("toolhive: error writing config file: %w", werr)
	}
	return release()
}

// setConfigField returns data with the top-level field set to the string
// value (appended when absent), every other field kept.
func setConfigField(data []byte, field, value string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %w", errToolHiveConfig, err)
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		root.Kind, root.Tag, root.Value = yaml.MappingNode, "!!map", ""
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w: top level is not a mapping", errToolHiveConfig)
	}
	val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
	set := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == field {
			root.Content[i+1], set = val, true
		}
	}
	if !set {
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: field}, val)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(4)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("toolhive: error serializing config file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("toolhive: error serializing config file: %w", err)
	}
	return buf.Bytes(), nil
}

// toolhiveFs is the filesystem as ToolHive's secrets writer locks it: it
// takes only the sidecar lock file "<store>.lock" (pkg/fileutils.
// WithFileLock), never scopemig's directory lock, so once opened the
// directory locks of fslock.Acquire are no-ops here and lock names ending
// in ".lock" reach the disk. While dirLocks is set (during encfile.Open,
// which removes a crashed write's temp file, something ToolHive never
// does) the directory lock is taken too.
type toolhiveFs struct {
	afero.Fs
	locks    fslock.Locker
	dirLocks bool
}

var _ fslock.Locker = (*toolhiveFs)(nil)

// Lock implements fslock.Locker: lock files only (and directories while
// dirLocks).
func (t *toolhiveFs) Lock(ctx context.Context, name string) (func() error, error) {
	if !t.dirLocks && !strings.HasSuffix(name, ".lock") {
		return func() error { return nil }, nil
	}
	return t.locks.Lock(ctx, name)
}

// LstatIfPossible keeps the wrapped filesystem's Lstat.
func (t *toolhiveFs) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	if l, ok := t.Fs.(afero.Lstater); ok {
		return l.LstatIfPossible(name)
	}
	fi, err := t.Stat(name)
	return fi, false, err
}

// openToolHiveSecrets opens ToolHive's secrets writer on a simulated
// process: the ToolHive-format store at path, written the way v0.47.0's
// EncryptedManager writes it (under "<store>.lock" only; each write one
// read-modify-write and one atomic replace). proc must provide locks.
func openToolHiveSecrets(proc interface {
	afero.Fs
	fslock.Locker
}, path string) (secrets.Provider, error) {
	t := &toolhiveFs{Fs: proc, locks: proc, dirLocks: true}
	p, err := encfile.Open(t, path, []byte(fixture.TestPassword), encfile.WithRand(simNonces()))
	t.dirLocks = false // the simulated process is single-threaded under the scheduler
	return p, err
}
