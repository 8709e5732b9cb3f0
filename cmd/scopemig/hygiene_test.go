package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/internal/realsoak"
)

// hygienePassword is the password of the stores TestOutputHygiene plants.
const hygienePassword = "hygiene-password-Zq8!v"

// plantedStore is a store whose every value is distinctive, with every
// outcome: moved, already scoped, a conflict (quarantined or dropped), a
// user key, a scoped key.
func plantedStore() map[string]string {
	return map[string]string{
		"BEARER_TOKEN_api":                       "planted-bearer-7f3a9c1e",
		"BEARER_TOKEN_same":                      "planted-identical-22c4d8",
		"__thv_workloads_BEARER_TOKEN_same":      "planted-identical-22c4d8",
		"OAUTH_CLIENT_SECRET_gh":                 "planted-conflict-loser-91b0",
		"__thv_workloads_OAUTH_CLIENT_SECRET_gh": "planted-conflict-winner-5e6d",
		"REGISTRY_OAUTH_x":                       "planted-registry-oauth-0aa1",
		"registry-user-ghcr.io":                  "planted {\"json\": true}\nmultiline",
		"user-key":                               "planted-user-value-d00d",
		"__thv_llm_gateway":                      "planted-llm-scoped-beef",
	}
}

// generatedValue matches the values the harness generates (harness/values.go):
// its rapid logs print the integer, never the value.
var generatedValue = regexp.MustCompile(`secret-value-\d{4}|wert-ü-✓-unicode-1|has spaces and\nnewline-2`)

// hygieneValues is every value the scans look for: planted, fixture and
// harness values, and both passwords.
func hygieneValues(t *testing.T) []string {
	t.Helper()
	var values []string
	for _, v := range plantedStore() {
		values = append(values, v)
	}
	for _, v := range fixture.FixtureState().Secrets {
		values = append(values, v)
	}
	for _, v := range fixtureRaw(t, "contents-before.json") {
		values = append(values, v)
	}
	return append(values, hygienePassword, fixturePassword)
}

// scanClean fails t if out holds one of values or a generated harness
// value; the failure names a fingerprint, never the value.
func scanClean(t require.TestingT, what, out string, values []string) {
	for _, v := range values {
		if len(v) < 8 || v == string(migrate.AlreadyScoped) { // too short to scan, or an outcome name
			continue
		}
		if strings.Contains(out, v) {
			t.Errorf("%s prints a secret value or password (fingerprint %s)", what, secrets.Fingerprint(v))
			t.FailNow()
		}
	}
	if generatedValue.MatchString(out) {
		t.Errorf("%s prints a generated harness value", what)
		t.FailNow()
	}
}

// requireClean is scanClean over hygieneValues.
func requireClean(t *testing.T, what, out string) {
	t.Helper()
	scanClean(t, what, out, hygieneValues(t))
}

// panicT is a require.TestingT whose failure panics, to test the scanner.
type panicT struct{}

func (panicT) Errorf(string, ...any) {}
func (panicT) FailNow()              { panic("failed") }

// plant writes plantedStore under hygienePassword into a fresh temp dir
// with a config and a 0600 password file; it returns the CLI arguments.
func plant(t *testing.T) (dir string, args []string) {
	t.Helper()
	dir = t.TempDir()
	fsys := afero.NewOsFs()
	store, err := encfile.Open(fsys, filepath.Join(dir, "secrets_encrypted"), []byte(hygienePassword))
	require.NoError(t, err)
	require.NoError(t, store.Update(context.Background(), func(m map[string]string) error {
		for k, v := range plantedStore() {
			m[k] = v
		}
		return nil
	}))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("secrets:\n    provider_type: encrypted\n"), 0o600))
	pw := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pw, []byte(hygienePassword+"\n"), 0o600))
	return dir, []string{"--secrets-file", filepath.Join(dir, "secrets_encrypted"), "--config", filepath.Join(dir, "config.yaml"), "--password-file", pw}
}

// requireFilesClean scans every file under dir (reports, artifacts, the
// stores themselves: encrypted, so no value in plaintext).
func requireFilesClean(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || filepath.Base(p) == "pw" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		requireClean(t, p, string(b))
		return nil
	}))
}

// TestOutputHygiene (I8) runs plan, migrate, verify (with a mutant, so
// violations and counterexamples are printed) and soak, captures every
// output stream and written report, and scans them for the values planted
// in the stores and for the passwords.
func TestOutputHygiene(t *testing.T) {
	t.Run("the scan can fail", func(t *testing.T) {
		values := hygieneValues(t)
		for _, bad := range []string{"x planted-bearer-7f3a9c1e y", "secret-value-0042", "has spaces and\nnewline-2", hygienePassword, "ghp_user_visible_value_1"} {
			require.Panics(t, func() { scanClean(panicT{}, "probe", bad, values) }, "%q", bad)
		}
		require.NotPanics(t, func() { scanClean(panicT{}, "probe", "fingerprint "+secrets.Fingerprint(hygienePassword), values) })
	})
	env := testEnv(afero.NewOsFs(), map[string]string{})
	t.Run("plan and migrate", func(t *testing.T) {
		for _, policy := range []string{"keep", "drop"} {
			for _, asJSON := range []bool{false, true} {
				dir, args := plant(t)
				args = append(args, "--on-conflict", policy)
				if asJSON {
					args = append(args, "--json")
				}
				var all strings.Builder
				for _, cmd := range []struct {
					name string
					new  func(cliEnv) *cobra.Command
				}{{"plan", newPlanCmdEnv}, {"migrate", newMigrateCmdEnv}, {"migrate again", newMigrateCmdEnv}, {"plan after", newPlanCmdEnv}} {
					out, errOut, code := run(t, cmd.new, env, args...)
					require.Equal(t, 0, code, errOut)
					all.WriteString(out + errOut)
				}
				forced := append(append([]string(nil), args...), "--force")
				out, errOut, code := run(t, newMigrateCmdEnv, env, forced...)
				require.Equal(t, 0, code, errOut)
				all.WriteString(out + errOut)
				// legacy list, restore and drop on the migrated store (keep
				// quarantined the conflict losers).
				legacyArgs := []string{args[0], args[1], args[4], args[5]} // --secrets-file, --password-file
				if asJSON {
					legacyArgs = append(legacyArgs, "--json")
				}
				out, errOut, code = run(t, newLegacyCmdEnv, env, append([]string{"list"}, legacyArgs...)...)
				require.Equal(t, 0, code, errOut)
				all.WriteString(out + errOut)
				if policy == "keep" {
					require.Contains(t, out, "__thv_legacy_", "the scan covers a non-empty listing")
					for _, k := range quarantineKeys(t, dir) {
						out, errOut, code = run(t, newLegacyCmdEnv, env, append([]string{"restore", k}, legacyArgs...)...)
						require.Equal(t, 0, code, errOut)
						all.WriteString(out + errOut)
					}
					for _, k := range quarantineKeys(t, dir) { // the displaced values
						out, errOut, code = run(t, newLegacyCmdEnv, env, append([]string{"drop", k}, legacyArgs...)...)
						require.Equal(t, 0, code, errOut)
						all.WriteString(out + errOut)
					}
				}
				wrong := append(append([]string(nil), args[:4]...), "--json")
				out, errOut, code = run(t, newMigrateCmdEnv, testEnv(afero.NewOsFs(), map[string]string{PasswordEnvVar: hygienePassword + "x"}), wrong...)
				require.Equal(t, 1, code)
				all.WriteString(out + errOut)

				text := all.String()
				require.Contains(t, text, "OAUTH_CLIENT_SECRET_gh", "the output names keys")
				if asJSON {
					require.True(t, json.Valid([]byte(strings.SplitN(text, "\n}\n", 2)[0]+"\n}")), "JSON report")
				}
				requireClean(t, "plan/migrate "+policy, text)
				requireFilesClean(t, dir)
			}
		}
	})

	t.Run("verify", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var log bytes.Buffer
		cfg := harness.Config{Seed: 3, Checks: 5, Depth: 1, Stores: 2, MaxKeys: 6, Skip: []string{"concurrency"}, Log: &log}
		out, err := runVerify(ctx, cfg, "encfile", false)
		require.NoError(t, err)
		m, ok := mutants.ByName("lost-conflict")
		require.True(t, ok)
		res := mutants.Check(ctx, m, cfg)
		require.True(t, res.Caught, "the mutant produces violation output to scan")
		require.NotEmpty(t, res.Counterexample)
		out.Mutants = append(out.Mutants, res)
		out.OK = false
		var human, js bytes.Buffer
		printVerify(&human, out)
		require.NoError(t, json.NewEncoder(&js).Encode(out))
		require.Contains(t, human.String(), "lost-conflict")
		requireClean(t, "verify (human)", human.String())
		requireClean(t, "verify --json", js.String())
		requireClean(t, "verify log", log.String())
	})

	t.Run("soak", func(t *testing.T) {
		for _, target := range []string{"encfile", "mutant:lost-conflict"} {
			dir := t.TempDir()
			f := soakFlags{duration: time.Second, seed: 5, shard: "0/1", target: target, maxKeys: 12, depth: 2,
				report: filepath.Join(dir, "r.json"), junit: filepath.Join(dir, "r.xml"), artifactDir: dir}
			var out, errOut bytes.Buffer
			err := runSoak(context.Background(), &out, &errOut, f, realsoak.Config{})
			if target != "encfile" {
				require.Error(t, err, "the mutant is caught, so there is a failure report to scan")
			} else {
				require.NoError(t, err)
			}
			requireClean(t, "soak "+target, out.String()+errOut.String())
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			if target != "encfile" {
				require.Greater(t, len(entries), 2, "a failure artifact besides the reports")
			}
			requireFilesClean(t, dir)
		}
	})
}

// quarantineKeys returns the quarantine keys of the planted store in dir.
func quarantineKeys(t *testing.T, dir string) []string {
	t.Helper()
	s, err := encfile.Open(afero.NewOsFs(), filepath.Join(dir, "secrets_encrypted"), []byte(hygienePassword))
	require.NoError(t, err)
	m, err := s.Snapshot(context.Background())
	require.NoError(t, err)
	var out []string
	for k := range m {
		if strings.HasPrefix(k, "__thv_legacy_") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
