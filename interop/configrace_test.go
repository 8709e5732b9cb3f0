package interop

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	thconfig "github.com/stacklok/toolhive/pkg/config"
	"github.com/stretchr/testify/require"
)

// configRaceRuns is the number of migrations raced against ToolHive's
// config writer (at least 200); CONFIG_RACE_RUNS overrides it.
const configRaceRuns = 200

// TestConfigRaceToolHiveUpdateConfig runs ToolHive v0.47.0's own
// config.UpdateConfigAtPath in a loop (flock on config.yaml.lock, load,
// modify, os.WriteFile in place, unlock and remove the lock file), in this
// process, while a real `scopemig migrate` process migrates the fixture
// store and sets the flag in the same config.yaml. After every run: the
// migration reports the flag set and the flag is in the file (no lost
// flag); ToolHive's last acknowledged update is in the file (no lost
// ToolHive update); every other field of the fixture's config is intact
// (the config was not replaced by a flag-only document).
//
// Without the config lock (scopemig's flag write once did not take
// config.yaml.lock) this lost the flag or ToolHive's update, or replaced
// the whole config, in a share of the runs. The ToolHive writer sleeps a
// random 0–2 ms between updates (seeded; the seed is logged), so its
// read-modify-writes land at every phase of scopemig's.
//
// CONFIG_RACE_BIN runs another scopemig binary instead of this tree's (a
// build of the pre-fix tree shows the race being caught).
func TestConfigRaceToolHiveUpdateConfig(t *testing.T) {
	bin := os.Getenv("CONFIG_RACE_BIN")
	if bin == "" {
		bin = buildCLI(t)
	}
	runs := configRaceRuns
	if s := os.Getenv("CONFIG_RACE_RUNS"); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(t, err)
		runs = n
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CONFIG_RACE_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
		seed = n
	}
	t.Logf("seed %d (replay: CONFIG_RACE_SEED=%d make interop)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	pw := "TOOLHIVE_SECRETS_PASSWORD=" + password
	totalUpdates, overlapped := 0, 0
	lostFlag, lostUpdate, replaced := 0, 0, 0
	for run := range runs {
		secretsPath, configPath := fixtureCopy(t)
		before := thLoadConfig(t, copyOf(t, configPath))

		var (
			mu    sync.Mutex // guards last, acked, errs
			last  string
			acked int
			errs  []error
		)
		stop := make(chan struct{})
		done := make(chan struct{})
		pauses := make([]time.Duration, 64)
		for i := range pauses {
			pauses[i] = time.Duration(rng.IntN(2000)) * time.Microsecond
		}
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				v := fmt.Sprintf("https://registry-%d-%d.example.invalid/registry.json", run, i)
				err := thconfig.UpdateConfigAtPath(configPath, func(c *thconfig.Config) error {
					c.RegistryUrl = v
					return nil
				})
				mu.Lock()
				if err == nil {
					last, acked = v, acked+1
				} else {
					errs = append(errs, err)
				}
				mu.Unlock()
				time.Sleep(pauses[i%len(pauses)])
			}
		}()
		out, errOut, code := runCLI(t, bin, []string{pw}, "migrate", "--secrets-file", secretsPath, "--config", configPath, "--json")
		mu.Lock()
		during := acked
		mu.Unlock()
		close(stop)
		<-done

		require.Equal(t, 0, code, "run %d: stderr: %s", run, errOut)
		var rep map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &rep), "run %d", run)
		require.Equal(t, "migrated", rep["status"], "run %d", run)
		require.Equal(t, true, rep["flag_set"], "run %d: the migration reports the flag set", run)
		require.Empty(t, errs, "run %d: ToolHive's config writer failed", run)

		after := thLoadConfig(t, configPath)
		want := before
		want.SecretScopeMigration, want.RegistryUrl = true, after.RegistryUrl
		switch {
		case !after.SecretScopeMigration:
			lostFlag++
			t.Errorf("run %d: lost flag (migrate exited 0 and reported it set)", run)
		case acked > 0 && after.RegistryUrl != last:
			lostUpdate++
			t.Errorf("run %d: lost ToolHive update (%d acknowledged)", run, acked)
		case !reflect.DeepEqual(want, after):
			replaced++
			t.Errorf("run %d: the config's other fields changed (replaced)", run)
		}
		totalUpdates += acked
		if during > 0 {
			overlapped++
		}
	}
	t.Logf("%d runs, %d ToolHive config updates, %d runs with an update acknowledged while migrate ran; lost flag %d, lost ToolHive update %d, config replaced %d",
		runs, totalUpdates, overlapped, lostFlag, lostUpdate, replaced)
	require.Greater(t, overlapped, runs/2, "the writers must actually overlap")
}
