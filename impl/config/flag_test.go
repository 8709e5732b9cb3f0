package config_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/impl/internal/fstest"
)

var ctx = context.Background()

func fixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "toolhive-v0.47.0", "config.yaml"))
	require.NoError(t, err)
	return b
}

func memWith(t *testing.T, path string, data []byte, perm os.FileMode) *counting {
	t.Helper()
	mem := afero.NewMemMapFs()
	require.NoError(t, mem.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, afero.WriteFile(mem, path, data, perm))
	return newCounting(mem)
}

func TestFixtureRoundTrip(t *testing.T) {
	orig := fixture(t)
	fsys := memWith(t, "/cfg/config.yaml", orig, 0o600)
	f := config.Flag{Fs: fsys, Path: "/cfg/config.yaml"}

	done, err := f.Migrated(ctx)
	require.NoError(t, err)
	require.False(t, done)
	require.Zero(t, fsys.writes())

	require.NoError(t, f.SetMigrated(ctx))
	got, err := afero.ReadFile(fsys, "/cfg/config.yaml")
	require.NoError(t, err)
	// Every byte of the original survives, in ToolHive's 4-space style.
	require.Equal(t, string(orig)+config.Key+": true\n", string(got))
	done, err = f.Migrated(ctx)
	require.NoError(t, err)
	require.True(t, done)

	// ToolHive's decoder sees every other field unchanged.
	var before, after map[string]any
	require.NoError(t, yaml.Unmarshal(orig, &before))
	require.NoError(t, yaml.Unmarshal(got, &after))
	require.Equal(t, true, after[config.Key])
	delete(after, config.Key)
	require.Equal(t, before, after)

	// Already set: not one more write, and the flag made durable (a file
	// and a directory sync).
	n, syncs := fsys.writes(), fsys.syncs()
	require.NoError(t, f.SetMigrated(ctx))
	require.Equal(t, n, fsys.writes())
	require.Equal(t, syncs+2, fsys.syncs())
}

func TestCommentsAndUnknownFieldsSurvive(t *testing.T) {
	in := "# ToolHive config, edited by hand\n" + string(fixture(t)) +
		"future_feature:\n    nested:\n        - a\n        - b # keep me\n    level: 3\n"
	fsys := memWith(t, "/cfg/config.yaml", []byte(in), 0o640)
	f := config.Flag{Fs: fsys, Path: "/cfg/config.yaml"}
	require.NoError(t, f.SetMigrated(ctx))
	got, err := afero.ReadFile(fsys, "/cfg/config.yaml")
	require.NoError(t, err)
	require.Equal(t, in+config.Key+": true\n", string(got))
	fi, err := fsys.Stat("/cfg/config.yaml")
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o640), fi.Mode().Perm(), "existing perm kept")
}

func TestFalseReplacedInPlace(t *testing.T) {
	in := "a: 1\n" + config.Key + ": false # set by scopemig\nb: 2\n"
	fsys := memWith(t, "/c.yaml", []byte(in), 0o600)
	f := config.Flag{Fs: fsys, Path: "/c.yaml"}
	require.NoError(t, f.SetMigrated(ctx))
	got, err := afero.ReadFile(fsys, "/c.yaml")
	require.NoError(t, err)
	require.Equal(t, "a: 1\n"+config.Key+": true # set by scopemig\nb: 2\n", string(got))
}

func TestToolHiveBoolSemantics(t *testing.T) {
	for in, want := range map[string]bool{
		config.Key + ": yes\n":  true, // yaml.v3 decodes YAML 1.1 booleans into bool
		config.Key + ": true\n": true,
		config.Key + ": ~\n":    false,
		config.Key + ":\n":      false,
		"other: 1\n":            false,
		"":                      false,
		"# only a comment\n":    false,
		"~\n":                   false,
	} {
		fsys := memWith(t, "/c.yaml", []byte(in), 0o600)
		got, err := config.Flag{Fs: fsys, Path: "/c.yaml"}.Migrated(ctx)
		require.NoError(t, err, "%q", in)
		require.Equal(t, want, got, "%q", in)
	}
}

func TestInvalidConfigWritesNothing(t *testing.T) {
	for name, in := range map[string]string{
		"garbage":    "secrets: [unclosed\n  : :\n",
		"tab indent": "a:\n\t- b\n",
		"non-bool":   config.Key + ": maybe\n",
		"quoted":     config.Key + ": \"true\"\n",
		"mapping":    config.Key + ":\n    x: 1\n",
		"list top":   "- a\n- b\n",
		"scalar top": "just a string\n",
		"duplicate":  config.Key + ": false\n" + config.Key + ": true\n",
		// ToolHive reads only the first document; rewriting the file
		// would silently drop the others.
		"two documents":      "a: 1\n" + config.Key + ": false\n---\nb: 2\n",
		"second doc garbage": "a: 1\n---\nsecrets: [unclosed\n",
		"trailing empty doc": "a: 1\n---\n# a comment only an editor keeps\n",
	} {
		t.Run(name, func(t *testing.T) {
			fsys := memWith(t, "/c.yaml", []byte(in), 0o600)
			f := config.Flag{Fs: fsys, Path: "/c.yaml"}
			_, err := f.Migrated(ctx)
			require.ErrorIs(t, err, config.ErrInvalidConfig)
			require.ErrorIs(t, f.SetMigrated(ctx), config.ErrInvalidConfig)
			require.Zero(t, fsys.writes(), "not one write")
			got, err := afero.ReadFile(fsys, "/c.yaml")
			require.NoError(t, err)
			require.Equal(t, in, string(got))
		})
	}
}

func TestNotRegularFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "adir"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "real.yaml"), fixture(t), 0o600))
	require.NoError(t, os.Symlink("adir", filepath.Join(dir, "link.yaml")))
	before := treeSnapshot(t, dir)
	for name, want := range map[string]error{"adir": config.ErrInvalidConfig, "link.yaml": atomicfile.ErrUnsafeLink} {
		fsys := newCounting(afero.NewOsFs())
		f := config.Flag{Fs: fsys, Path: filepath.Join(dir, name)}
		_, err := f.Migrated(ctx)
		require.ErrorIs(t, err, want, name)
		require.ErrorIs(t, f.SetMigrated(ctx), want, name)
		require.Zero(t, fsys.writes(), name)
	}
	require.Equal(t, before, treeSnapshot(t, dir))
}

func TestMissingFileAndDirectory(t *testing.T) {
	// On a real filesystem: directory created 0700, file 0600.
	root := t.TempDir()
	path := filepath.Join(root, "toolhive", "config.yaml")
	f := config.Flag{Fs: afero.NewOsFs(), Path: path}
	done, err := f.Migrated(ctx)
	require.NoError(t, err)
	require.False(t, done)
	_, err = os.Stat(filepath.Dir(path))
	require.ErrorIs(t, err, os.ErrNotExist, "reading creates nothing")

	require.NoError(t, f.SetMigrated(ctx))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, config.Key+": true\n", string(got))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	di, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), di.Mode().Perm())
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	require.Equal(t, []string{"config.yaml", "config.yaml" + config.LockFileSuffix}, names,
		"no temp file left; ToolHive's lock file, taken like ToolHive takes it, stays (never removed: impl/fslock)")
	li, err := os.Stat(path + config.LockFileSuffix)
	require.NoError(t, err)
	require.Zero(t, li.Size())
	require.Equal(t, os.FileMode(0o600), li.Mode().Perm())

	// On a locking in-memory Fs.
	mem := fslock.WithLocker(afero.NewMemMapFs())
	mf := config.Flag{Fs: mem, Path: "/x/y/config.yaml"}
	require.NoError(t, mf.SetMigrated(ctx))
	done, err = mf.Migrated(ctx)
	require.NoError(t, err)
	require.True(t, done)
}

func TestConcurrentSetMigrated(t *testing.T) {
	mem := fslock.WithLocker(afero.NewMemMapFs())
	require.NoError(t, afero.WriteFile(mem, "/c/config.yaml", fixture(t), 0o600))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := (config.Flag{Fs: mem, Path: "/c/config.yaml"}).SetMigrated(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := afero.ReadFile(mem, "/c/config.yaml")
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(got), config.Key))
}

func TestInvalidFlagAndContext(t *testing.T) {
	_, err := config.Flag{}.Migrated(ctx)
	require.ErrorIs(t, err, config.ErrInvalidFlag)
	require.ErrorIs(t, config.Flag{Fs: afero.NewMemMapFs()}.SetMigrated(ctx), config.ErrInvalidFlag)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	fsys := newCounting(afero.NewMemMapFs())
	require.ErrorIs(t, config.Flag{Fs: fsys, Path: "/c.yaml"}.SetMigrated(cancelled), context.Canceled)
	require.Zero(t, fsys.writes())
}

// treeSnapshot maps every path under root to its mode and content.
func treeSnapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	tree, err := fstest.Tree(root)
	require.NoError(t, err)
	return tree
}

// SetMigratedReport says whether it wrote: a Runner that read the flag
// unset, while a concurrent run set it, must not claim that write.
func TestSetMigratedReportSaysWhetherItWrote(t *testing.T) {
	fsys := memWith(t, "/c.yaml", []byte("a: 1\n"), 0o600)
	f := config.Flag{Fs: fsys, Path: "/c.yaml"}
	wrote, err := f.SetMigratedReport(ctx)
	require.NoError(t, err)
	require.True(t, wrote)
	n := fsys.writes()
	wrote, err = f.SetMigratedReport(ctx)
	require.NoError(t, err)
	require.False(t, wrote, "already set: nothing written")
	require.Equal(t, n, fsys.writes())

	_, err = config.Flag{Fs: memWith(t, "/c.yaml", []byte("[\n"), 0o600), Path: "/c.yaml"}.SetMigratedReport(ctx)
	require.ErrorIs(t, err, config.ErrInvalidConfig)
}
