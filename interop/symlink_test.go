package interop

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	thconfig "github.com/stacklok/toolhive/pkg/config"
	"github.com/stretchr/testify/require"
)

// symlinkRaceRuns is the default number of migrations raced against
// ToolHive's config writers through the symlink; SYMLINK_RACE_RUNS
// overrides it.
const symlinkRaceRuns = 60

// maxSymlinkRaceWriters is the most concurrent ToolHive config writers
// (one field each); SYMLINK_RACE_WRITERS picks how many (default 1: with
// two or more, ToolHive v0.47.0's unlock-then-remove lock protocol races
// its own writers, without scopemig, and loses fields; see the test).
const maxSymlinkRaceWriters = 3

// dotfilesCopy lays out a fresh home the way a dotfile manager does: the
// fixture config and store in ~/dotfiles, and relative symlinks to them at
// ToolHive's paths ~/.config/toolhive/config.yaml and
// ~/.local/share/toolhive/secrets_encrypted. It returns the links and the
// config's target.
func dotfilesCopy(t testing.TB) (storeLink, cfgLink, cfgTarget string) {
	t.Helper()
	home := t.TempDir()
	dot := filepath.Join(home, "dotfiles")
	cfgDir := filepath.Join(home, ".config", "toolhive")
	dataDir := filepath.Join(home, ".local", "share", "toolhive")
	for _, d := range []string{dot, cfgDir, dataDir} {
		require.NoError(t, os.MkdirAll(d, 0o700))
	}
	cfgTarget = filepath.Join(dot, "toolhive-config.yaml")
	copyFile(t, filepath.Join(fixtureDir, configName), cfgTarget)
	copyFile(t, filepath.Join(fixtureDir, secretsName), filepath.Join(dot, secretsName))
	cfgLink, storeLink = filepath.Join(cfgDir, configName), filepath.Join(dataDir, secretsName)
	require.NoError(t, os.Symlink("../../dotfiles/toolhive-config.yaml", cfgLink))
	require.NoError(t, os.Symlink("../../../dotfiles/"+secretsName, storeLink))
	return storeLink, cfgLink, cfgTarget
}

// TestConfigRaceThroughSymlink is TestConfigRaceToolHiveUpdateConfig in a
// dotfile manager's layout (issue 21 item 8): SYMLINK_RACE_WRITERS (default
// 1) goroutines run ToolHive v0.47.0's own UpdateConfigAtPath on the
// config's symlink (each on its own field: flock on
// ~/.config/toolhive/config.yaml.lock, load through the link, os.WriteFile
// through the link in place, unlock and remove the lock file) while a real
// `scopemig migrate` process migrates the store and sets the flag through
// both symlinks. After every run: migrate reports the flag set and it is in
// the file; every ToolHive writer's last acknowledged update is in the
// file; every other field of the fixture's config is intact; both links
// are still links; the only lock file is ToolHive's, next to the link (both
// writers took the same one).
//
// SYMLINK_RACE_VIA_TARGET=1 passes scopemig the target instead of the link
// (the workaround, which locked
// ~/dotfiles/toolhive-config.yaml.lock): the two writers then no longer
// exclude each other and the test catches lost flags, lost updates or
// replaced configs.
//
// Why one ToolHive writer by default: ToolHive's protocol (unlock, then
// remove the lock file) lets two ToolHive writers hold "the" lock at once
// (fslock's package comment). SYMLINK_RACE_TOOLHIVE_ONLY=1 replaces the
// scopemig run by one more UpdateConfigAtPath setting the flag: with
// SYMLINK_RACE_WRITERS=3 and no scopemig at all, some runs end with a
// config reset to ToolHive's defaults or a parse error in a writer. Such
// damage is ToolHive's own, so with SYMLINK_RACE_WRITERS > 1 a failure does
// not isolate scopemig.
func TestConfigRaceThroughSymlink(t *testing.T) {
	bin := buildCLI(t)
	runs := symlinkRaceRuns
	if s := os.Getenv("SYMLINK_RACE_RUNS"); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(t, err)
		runs = n
	}
	writers := 1
	if s := os.Getenv("SYMLINK_RACE_WRITERS"); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(t, err)
		require.True(t, n >= 1 && n <= maxSymlinkRaceWriters, "SYMLINK_RACE_WRITERS: 1 to %d", maxSymlinkRaceWriters)
		writers = n
	}
	viaTarget := os.Getenv("SYMLINK_RACE_VIA_TARGET") != ""
	toolhiveOnly := os.Getenv("SYMLINK_RACE_TOOLHIVE_ONLY") != ""
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SYMLINK_RACE_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
		seed = n
	}
	t.Logf("seed %d (replay: SYMLINK_RACE_SEED=%d go test ./interop -run TestConfigRaceThroughSymlink)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 21))
	pw := "TOOLHIVE_SECRETS_PASSWORD=" + password
	fields := [maxSymlinkRaceWriters]func(c *thconfig.Config, v string){
		func(c *thconfig.Config, v string) { c.RegistryUrl = v },
		func(c *thconfig.Config, v string) { c.RegistryApiUrl = v },
		func(c *thconfig.Config, v string) { c.LocalRegistryPath = v },
	}
	totalUpdates, overlapped, failures := 0, 0, 0
	for run := range runs {
		storeLink, cfgLink, cfgTarget := dotfilesCopy(t)
		before := thLoadConfig(t, copyOf(t, cfgTarget))

		var (
			mu    sync.Mutex // guards last, acked, errs
			last  [maxSymlinkRaceWriters]string
			acked int
			errs  []error
		)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range writers {
			pauses := make([]time.Duration, 32)
			for i := range pauses {
				pauses[i] = time.Duration(rng.IntN(2000)) * time.Microsecond
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					v := fmt.Sprintf("https://w%d-%d-%d.example.invalid/registry.json", w, run, i)
					err := thconfig.UpdateConfigAtPath(cfgLink, func(c *thconfig.Config) error {
						fields[w](c, v)
						return nil
					})
					mu.Lock()
					if err == nil {
						last[w], acked = v, acked+1
					} else {
						errs = append(errs, err)
					}
					mu.Unlock()
					time.Sleep(pauses[i%len(pauses)])
				}
			}()
		}
		cfgArg := cfgLink
		if viaTarget {
			cfgArg = cfgTarget
		}
		var (
			out, errOut string
			code        int
		)
		if toolhiveOnly {
			// The baseline: ToolHive sets the flag itself, no scopemig.
			time.Sleep(20 * time.Millisecond)
			if err := thconfig.UpdateConfigAtPath(cfgLink, func(c *thconfig.Config) error { c.SecretScopeMigration = true; return nil }); err != nil {
				errOut, code = err.Error(), 1
			}
			out = `{"status":"migrated","flag_set":true}`
		} else {
			out, errOut, code = runCLI(t, bin, []string{pw}, "migrate", "--secrets-file", storeLink, "--config", cfgArg, "--json")
		}
		mu.Lock()
		during := acked
		mu.Unlock()
		close(stop)
		wg.Wait()

		require.Equal(t, 0, code, "run %d: stderr: %s", run, errOut)
		var rep map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &rep), "run %d", run)
		require.Equal(t, "migrated", rep["status"], "run %d", run)
		require.Equal(t, true, rep["flag_set"], "run %d: the migration reports the flag set", run)
		require.Empty(t, errs, "run %d: ToolHive's config writers failed", run)
		for _, link := range []string{cfgLink, storeLink} {
			fi, err := os.Lstat(link)
			require.NoError(t, err)
			require.NotZero(t, fi.Mode()&os.ModeSymlink, "run %d: %s is still a link", run, link)
		}
		if !viaTarget {
			_, err := os.Lstat(cfgTarget + ".lock")
			require.ErrorIs(t, err, os.ErrNotExist, "run %d: no lock file next to the target: both writers lock %s.lock", run, cfgLink)
		}

		after := thLoadConfig(t, cfgTarget)
		want := before
		want.SecretScopeMigration = true
		want.RegistryUrl, want.RegistryApiUrl, want.LocalRegistryPath = after.RegistryUrl, after.RegistryApiUrl, after.LocalRegistryPath
		var got [maxSymlinkRaceWriters]string
		got[0], got[1], got[2] = after.RegistryUrl, after.RegistryApiUrl, after.LocalRegistryPath
		var problems []string
		if !after.SecretScopeMigration {
			problems = append(problems, "lost flag (migrate exited 0 and reported it set)")
		}
		for w := range writers {
			if last[w] != "" && got[w] != last[w] {
				problems = append(problems, fmt.Sprintf("lost ToolHive update of writer %d", w))
			}
		}
		if !reflect.DeepEqual(want, after) {
			problems = append(problems, "the config's other fields changed (replaced): "+strings.Join(changedFields(want, after), ", "))
		}
		if len(problems) > 0 {
			failures++
			t.Errorf("run %d: %s", run, strings.Join(problems, "; "))
		}
		totalUpdates += acked
		if during > 0 {
			overlapped++
		}
	}
	t.Logf("%d runs, %d writers, %d ToolHive config updates through the link, %d runs with an update acknowledged while migrate ran; %d runs lost something",
		runs, writers, totalUpdates, overlapped, failures)
	require.Greater(t, overlapped, runs/2, "the writers must actually overlap")
}

// changedFields names the fields of two configs that differ.
func changedFields(a, b thconfig.Config) []string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for i := range va.NumField() {
		if f := va.Type().Field(i); f.IsExported() && !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, f.Name)
		}
	}
	return out
}

// TestToolHiveWritesThroughLinks records what ToolHive v0.47.0 itself does
// with the dotfile layout, the behaviour docs/toolhive-differences.md
// (row 5) compares scopemig with: UpdateConfigAtPath writes the config
// through its symlink, in place (the link stays, the target changes, the
// lock file is next to the link); EncryptedManager's atomic write renames
// its temp file over the store's symlink, so the link becomes a regular
// file and the dotfiles copy no longer receives the store's changes.
// scopemig keeps both links (TestConfigRaceThroughSymlink,
// cmd/scopemig TestMigrateThroughDotfileLinks).
func TestToolHiveWritesThroughLinks(t *testing.T) {
	storeLink, cfgLink, cfgTarget := dotfilesCopy(t)
	require.NoError(t, thconfig.UpdateConfigAtPath(cfgLink, func(c *thconfig.Config) error {
		c.RegistryUrl = "https://through-the-link.example.invalid/registry.json"
		return nil
	}))
	fi, err := os.Lstat(cfgLink)
	require.NoError(t, err)
	require.NotZero(t, fi.Mode()&os.ModeSymlink, "ToolHive keeps the config link")
	require.Equal(t, "https://through-the-link.example.invalid/registry.json", thLoadConfig(t, cfgTarget).RegistryUrl)

	storeTarget, err := filepath.EvalSymlinks(storeLink)
	require.NoError(t, err)
	before, err := os.ReadFile(storeTarget)
	require.NoError(t, err)
	m := thManager(t, storeLink)
	require.NoError(t, m.SetSecret(t.Context(), "written_by_toolhive", "v"))
	fi, err = os.Lstat(storeLink)
	require.NoError(t, err)
	require.True(t, fi.Mode().IsRegular(), "ToolHive replaced the store's link by a regular file")
	after, err := os.ReadFile(storeTarget)
	require.NoError(t, err)
	require.Equal(t, before, after, "the dotfiles copy did not receive the write")
}
