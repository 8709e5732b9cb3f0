package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

// TestPlanReadOnlyStoreReportsLeftovers: with the temp file of a crashed
// write next to the store, plan reports it and leaves it (and every other
// byte) alone, on a real directory made read-only (chmod 0500: enforced
// when not root) and through afero's read-only Fs (enforced for root too:
// every write fails with EPERM).
func TestPlanReadOnlyStoreReportsLeftovers(t *testing.T) {
	osfs := afero.NewOsFs()
	dir := install(t, osfs, t.TempDir())
	store := filepath.Join(dir, "secrets_encrypted")
	leftover := atomicfile.TempName(store)
	require.NoError(t, os.WriteFile(leftover, []byte("half-written"), 0o600))
	cfgLeftover := atomicfile.TempName(filepath.Join(dir, "config.yaml"))
	require.NoError(t, os.Symlink("/etc/passwd", cfgLeftover)) // planted: reported, never followed
	require.NoError(t, os.Chmod(dir, 0o500))
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	before := tree(t, dir)
	args := []string{"--secrets-file", store, "--config", filepath.Join(dir, "config.yaml")}

	for _, fsys := range []afero.Fs{osfs, afero.NewReadOnlyFs(osfs)} {
		out, errOut, code := run(t, newPlanCmdEnv, testEnv(fsys, pwEnv()), args...)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, "leftover: "+leftover+" ")
		require.Contains(t, out, "foreign file: "+cfgLeftover+" ")
		require.Contains(t, out, "nothing written")

		out, errOut, code = run(t, newPlanCmdEnv, testEnv(fsys, pwEnv()), append(args, "--json")...)
		require.Equal(t, 0, code, errOut)
		var rep planReport
		require.NoError(t, json.Unmarshal([]byte(out), &rep))
		require.Equal(t, []string{leftover, cfgLeftover}, rep.Leftovers)
		require.Equal(t, []string{cfgLeftover}, rep.ForeignTempFiles, "a planted symlink is no leftover of a crashed write")
		require.Len(t, rep.Steps, 9)
		require.Equal(t, before, tree(t, dir), "plan never writes")
	}

	// Without a leftover the JSON says so with an empty list.
	require.NoError(t, os.Chmod(dir, 0o700))
	require.NoError(t, os.Remove(leftover))
	require.NoError(t, os.Remove(cfgLeftover))
	out, errOut, code := run(t, newPlanCmdEnv, testEnv(osfs, pwEnv()), append(args, "--json")...)
	require.Equal(t, 0, code, errOut)
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	require.Equal(t, []any{}, raw["leftovers"])
}

// openCounter counts the opens of each path (reads included).
type openCounter struct {
	afero.Fs
	opens map[string]int
}

func (c *openCounter) Open(name string) (afero.File, error) {
	c.opens[filepath.Clean(name)]++
	return c.Fs.Open(name)
}

func (c *openCounter) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	c.opens[filepath.Clean(name)]++
	return c.Fs.OpenFile(name, flag, perm)
}

// TestPlanReadsTheStoreOnce: plan opens (and so reads and decrypts) the
// store file exactly once whatever the number of legacy keys — the
// quadratic re-read once opened it once per lookup. Speed
// itself is measured by `scopemig bench` (plan vs migrate rows).
func TestPlanReadsTheStoreOnce(t *testing.T) {
	for _, n := range []int{1, 50, 500} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			store := filepath.Join(dir, "secrets_encrypted")
			m := map[string]string{}
			for i := range n {
				m[fmt.Sprintf("BEARER_TOKEN_%d", i)] = strings.Repeat("v", i%7+1)
				if i%3 == 0 { // conflicts, so the quarantine slots are read too
					m[fmt.Sprintf("__thv_workloads_BEARER_TOKEN_%d", i)] = "other"
				}
			}
			data, err := encfile.Encode(encfile.KeyFromPassword([]byte(fixturePassword)), m, nil)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(store, data, 0o600))
			c := &openCounter{Fs: afero.NewOsFs(), opens: map[string]int{}}
			out, errOut, code := run(t, newPlanCmdEnv, testEnv(c, pwEnv()), "--secrets-file", store, "--config", filepath.Join(dir, "config.yaml"), "--json")
			require.Equal(t, 0, code, errOut)
			var rep planReport
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			require.Len(t, rep.Steps, n)
			require.Equal(t, 1, c.opens[store], "opens: %v", c.opens)
			for _, s := range rep.Steps {
				require.True(t, strings.HasPrefix(s.Fingerprint, secrets.KeyedFingerprintPrefix), "real stores get keyed fingerprints: %s", s.Fingerprint)
			}
		})
	}
}
