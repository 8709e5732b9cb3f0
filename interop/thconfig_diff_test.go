package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/adrg/xdg"
	"github.com/spf13/afero"
	thconfig "github.com/stacklok/toolhive/pkg/config"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	simconfig "github.com/scopemig/scopemig/internal/thconfig"
)

// thconfigDiffCases is the number of generated configs the differential
// test runs through both writers; THCONFIG_DIFF_CASES overrides it.
const thconfigDiffCases = 300

// cfgUpdate is one update both writers apply: the same change on ToolHive's
// Config and on the mirror.
type cfgUpdate struct {
	name string
	real func(*thconfig.Config) error
	sim  func(*simconfig.Config) error
}

var errUpdateRefused = errors.New("update refused")

// cfgUpdates are the updates the differential test draws from: a string
// (the concurrency phase's registry_url/registry_api_url), the flag, a
// list append, a *bool, a map entry, a nested struct field, and an update
// that fails (nothing but the loader's own saves may be written).
func cfgUpdates(v string) []cfgUpdate {
	tr := true
	return []cfgUpdate{
		{"registry_url", func(c *thconfig.Config) error { c.RegistryUrl = v; return nil },
			simconfig.SetString("registry_url", v)},
		{"registry_api_url", func(c *thconfig.Config) error { c.RegistryApiUrl = v; return nil },
			simconfig.SetString("registry_api_url", v)},
		{"secret_scope_migration", func(c *thconfig.Config) error { c.SecretScopeMigration = true; return nil },
			func(c *simconfig.Config) error { c.SecretScopeMigration = true; return nil }},
		{"build_env_from_shell+", func(c *thconfig.Config) error { c.BuildEnvFromShell = append(c.BuildEnvFromShell, v); return nil },
			func(c *simconfig.Config) error { c.BuildEnvFromShell = append(c.BuildEnvFromShell, v); return nil }},
		{"otel.metrics-enabled", func(c *thconfig.Config) error { c.OTEL.MetricsEnabled = &tr; return nil },
			func(c *simconfig.Config) error { c.OTEL.MetricsEnabled = &tr; return nil }},
		{"build_env[K]", func(c *thconfig.Config) error {
			if c.BuildEnv == nil {
				c.BuildEnv = map[string]string{}
			}
			c.BuildEnv["K"] = v
			return nil
		}, func(c *simconfig.Config) error {
			if c.BuildEnv == nil {
				c.BuildEnv = map[string]string{}
			}
			c.BuildEnv["K"] = v
			return nil
		}},
		{"llm.proxy.listen_port", func(c *thconfig.Config) error { c.LLM.Proxy.ListenPort = 14000; return nil },
			func(c *simconfig.Config) error { c.LLM.Proxy.ListenPort = 14000; return nil }},
		{"refused", func(*thconfig.Config) error { return errUpdateRefused },
			func(*simconfig.Config) error { return errUpdateRefused }},
	}
}

// cfgCase is one generated config: absent, or a document's text.
type cfgCase struct {
	exists bool
	text   string
}

// pick returns one of xs.
func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// genToolHiveConfig draws a config document: every field of ToolHive's
// Config with values of every type it has (strings plain, quoted, empty,
// numeric-looking; bools true/false/yes; floats; *bool true/false/null;
// lists; maps, empty ones included; pointers to structs, null ones
// included; a timestamp), omitempty fields at their zero values, unknown
// fields at the top and inside known structs, comments (head, inline,
// foot), an anchor used through an alias and a merge key, flow and block
// style, and now and then a value of the wrong type (both writers must
// then fail and write nothing). Sometimes the file is absent, empty, or
// comments only.
func genToolHiveConfig(r *rand.Rand) cfgCase {
	switch r.IntN(20) {
	case 0:
		return cfgCase{}
	case 1:
		return cfgCase{exists: true}
	case 2:
		return cfgCase{exists: true, text: "# only a comment\n"}
	}
	str := func() string {
		return pick(r, `""`, "plain", `"with: colon # hash"`, "'single'", "123", "0x1F", "true", "~", "https://registry.example.invalid/r.json", `"ü ✓"`)
	}
	boolv := func() string { return pick(r, "true", "false", "yes", "off") }
	optb := func() string { return pick(r, "true", "false", "null", "~") }
	list := func() string { return pick(r, "[]", "[a, b]", "\n        - x\n        - 'y z'", "null") }
	smap := func() string { return pick(r, "{}", "{A: b, C: ''}", "\n        K1: v1\n        K2: \"2\"", "null") }
	client := func(ind string) string {
		var b strings.Builder
		b.WriteString("\n")
		for _, f := range []string{"issuer: https://issuer.example.invalid", "client_id: " + str(), "scopes: [openid, email]",
			"audience: " + str(), "callback_port: " + pick(r, "0", "8666"), "cached_refresh_token_ref: ref",
			"cached_token_expiry: " + pick(r, "2025-01-02T03:04:05Z", "0001-01-01T00:00:00Z"), "unknown_inner: 1"} {
			if r.IntN(2) == 0 {
				b.WriteString(ind + f + "\n")
			}
		}
		if b.Len() == 1 {
			return " {}"
		}
		return strings.TrimSuffix(b.String(), "\n")
	}
	wrong := r.IntN(12) == 0
	fields := []string{
		"secrets:\n    provider_type: " + pick(r, `""`, "encrypted", "basic", "1password", "environment") + "\n    setup_completed: " + boolv() + pick(r, "", "\n    extra_secret_field: x"),
		"clients:\n    registered_clients: " + list(),
		"registry_url: " + str() + pick(r, "", " # inline comment"),
		"registry_api_url: " + str(),
		"local_registry_path: " + str(),
		"allow_private_registry_ip: " + boolv(),
		"ca_certificate_path: " + pick(r, `""`, "/etc/ssl/ca.pem"),
		"otel:\n    endpoint: " + pick(r, `""`, "localhost:4318") + "\n    sampling-rate: " + pick(r, "0", "0.5", "1e-3", "1") +
			"\n    env-vars: " + list() + "\n    metrics-enabled: " + optb() + "\n    tracing-enabled: " + optb() +
			"\n    insecure: " + boolv() + "\n    use-legacy-attributes: " + optb() + pick(r, "", "\n    enabled: true"),
		"otel: {}",
		"default_group_migration: " + boolv(),
		"telemetry_config_migration: " + boolv(),
		"middleware_telemetry_migration: " + boolv(),
		"secret_scope_migration: " + boolv(),
		"disable_usage_metrics: " + boolv(),
		"build_env: " + smap(),
		"build_env_from_secrets: " + smap(),
		"build_env_from_shell: " + list(),
		"build_auth_files: " + smap(),
		"runtime_configs:\n    go:\n        builder_image: golang:1.26-alpine\n        additional_packages: [git]\n        runtime_env: {A: b}\n    node: null\n    python: {builder_image: ''}",
		"registry_auth:\n    type: " + pick(r, `""`, "oauth") + "\n    oauth:" + client("        "),
		"registry_auth: {}",
		"llm:\n    gateway_url: " + pick(r, `""`, "https://llm.example.invalid") + "\n    tls_skip_verify: " + boolv() +
			"\n    oidc:" + client("        ") + "\n    proxy: {listen_port: " + pick(r, "0", "14000") + "}" +
			"\n    bedrock: {compat: " + boolv() + ", enable_1m: false}\n    models: " + list() +
			"\n    configured_tools:\n        - {tool: claude, mode: direct, config_path: /x}",
		"future_toolhive_field:\n    nested:\n        deeper: [1, 2, {x: y}]",
		"unknown_scalar: 42 # someone's",
		"anchored: &u https://anchored.example.invalid\nregistry_url: *u",
		"base: &base {endpoint: localhost:1}\notel:\n    <<: *base\n    insecure: true",
		"multiline_unknown: |\n    line one\n    line two",
	}
	if wrong {
		fields = append(fields, pick(r, "registry_url: [1, 2]", "allow_private_registry_ip: maybe", "build_env: [a]", "otel: 3", "clients: {registered_clients: {a: b}}"))
	}
	r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	var b strings.Builder
	if r.IntN(2) == 0 {
		b.WriteString("# ToolHive configuration (edited by hand)\n")
	}
	seen := map[string]bool{}
	for _, f := range fields[:1+r.IntN(len(fields))] {
		key, _, _ := strings.Cut(f, ":")
		if seen[key] || (strings.Contains(f, "\n") && seenAny(seen, f)) {
			continue // a key twice is an error for both; keep documents valid unless wrong
		}
		for _, line := range strings.Split(f, "\n") {
			if k, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
				seen[k] = true
			}
		}
		b.WriteString(f + "\n")
	}
	if r.IntN(3) == 0 {
		b.WriteString("# foot comment\n")
	}
	return cfgCase{exists: true, text: b.String()}
}

// seenAny reports whether a multi-line piece defines a top-level key
// already written.
func seenAny(seen map[string]bool, f string) bool {
	for _, line := range strings.Split(f, "\n") {
		if k, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") && seen[k] {
			return true
		}
	}
	return false
}

// writerResult is what one writer left: the error (nil or not), the
// config's bytes and mode (absent: !exists), and the other files of the
// directory (the lock file aside: see docs/toolhive-differences.md).
type writerResult struct {
	failed bool
	exists bool
	data   []byte
	mode   fs.FileMode
	others []string
}

func (w writerResult) String() string {
	if !w.exists {
		return fmt.Sprintf("failed=%v, no config, others %v", w.failed, w.others)
	}
	return fmt.Sprintf("failed=%v, mode %v, others %v, config:\n%s", w.failed, w.mode, w.others, w.data)
}

func seedConfig(t *testing.T, c cfgCase) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), configName)
	if c.exists {
		require.NoError(t, os.WriteFile(path, []byte(c.text), 0o640))
	}
	return path
}

func writerOutcome(t *testing.T, path string, err error) writerResult {
	t.Helper()
	res := writerResult{failed: err != nil}
	data, rerr := os.ReadFile(path)
	if rerr == nil {
		fi, serr := os.Stat(path)
		require.NoError(t, serr)
		res.exists, res.data, res.mode = true, data, fi.Mode()
	} else {
		require.ErrorIs(t, rerr, fs.ErrNotExist)
	}
	entries, derr := os.ReadDir(filepath.Dir(path))
	require.NoError(t, derr)
	for _, e := range entries {
		if e.Name() != configName && e.Name() != configName+simconfig.LockSuffix {
			res.others = append(res.others, e.Name())
		}
	}
	return res
}

// simWriter runs a simulated writer on a real directory.
type simWriter func(ctx context.Context, fsys afero.Fs, path string, fn func(*simconfig.Config) error) error

// diffOne runs ToolHive's UpdateConfigAtPath and the simulated writer on
// two copies of c with the same update, and returns both outcomes.
func diffOne(t *testing.T, c cfgCase, u cfgUpdate, sim simWriter) (real, simulated writerResult) {
	t.Helper()
	realPath, simPath := seedConfig(t, c), seedConfig(t, c)
	err := thconfig.UpdateConfigAtPath(realPath, u.real)
	real = writerOutcome(t, realPath, err)
	err = sim(context.Background(), afero.NewOsFs(), simPath, u.sim)
	simulated = writerOutcome(t, simPath, err)
	return real, simulated
}

func diffCases(t *testing.T) (uint64, int) {
	t.Helper()
	n := thconfigDiffCases
	if s := os.Getenv("THCONFIG_DIFF_CASES"); s != "" {
		var err error
		n, err = strconv.Atoi(s)
		require.NoError(t, err)
	}
	seed := uint64(21)
	if s := os.Getenv("THCONFIG_DIFF_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	return seed, n
}

// sandboxXDG points ToolHive's XDG data directory at a temp dir: loading
// a config whose provider is "basic" makes ToolHive remove its old
// secrets file there.
func sandboxXDG(t *testing.T) {
	t.Helper()
	t.Cleanup(xdg.Reload) // runs after t.Setenv's restores
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	xdg.Reload()
}

// TestThconfigMatchesUpdateConfigAtPath is the differential test of issue
// 21.3: seeded generated configs (genToolHiveConfig) go through ToolHive's
// real config.UpdateConfigAtPath and through the harness's simulated
// writer (internal/thconfig.UpdateAtPath, on the real filesystem), each on
// its own copy, with the same update. Both must fail or both succeed, and
// leave byte-identical documents with the same mode, and no other file
// (ToolHive's lock file aside: the simulation keeps it, ToolHive removes
// it, docs/toolhive-differences.md). A failure prints the case, both
// documents and the replay line.
func TestThconfigMatchesUpdateConfigAtPath(t *testing.T) {
	sandboxXDG(t)
	seed, n := diffCases(t)
	r := rand.New(rand.NewPCG(seed, 213))
	kinds := map[string]int{}
	for i := range n {
		c := genToolHiveConfig(r)
		us := cfgUpdates(fmt.Sprintf("v-%d", i))
		u := us[r.IntN(len(us))]
		real, sim := diffOne(t, c, u, simconfig.UpdateAtPath)
		if !real.equal(sim) {
			t.Fatalf("case %d (replay: cd interop && THCONFIG_DIFF_SEED=%d THCONFIG_DIFF_CASES=%d go test -count=1 -run TestThconfigMatchesUpdateConfigAtPath .): update %s on\n%s\nToolHive: %s\nsimulation: %s",
				i, seed, i+1, u.name, c.text, real, sim)
		}
		switch {
		case real.failed:
			kinds["both failed"]++
		case !c.exists:
			kinds["created"]++
		case bytes.Equal(real.data, []byte(c.text)):
			kinds["unchanged"]++
		default:
			kinds["rewritten"]++
		}
	}
	t.Logf("seed %d, %d cases: %v", seed, n, kinds)
	require.Positive(t, kinds["both failed"], "the generator must reach ToolHive's decode errors")
	require.Positive(t, kinds["created"])
	require.Greater(t, kinds["rewritten"], n/2)
}

func (w writerResult) equal(o writerResult) bool {
	return w.failed == o.failed && w.exists == o.exists && bytes.Equal(w.data, o.data) &&
		w.mode == o.mode && strings.Join(w.others, "/") == strings.Join(o.others, "/")
}

// TestThconfigDiffCatchesTreeEditingWriter: the writer the harness had
// before issue 21.3 (it edited the document as a yaml.Node tree and so
// kept every unknown field, every comment and ToolHive's omitempty zero
// values) is told apart from ToolHive by the differential test on the
// first generated config with an unknown field.
func TestThconfigDiffCatchesTreeEditingWriter(t *testing.T) {
	sandboxXDG(t)
	c := cfgCase{exists: true, text: "registry_url: a\nfuture_toolhive_field: kept\n"}
	u := cfgUpdates("v")[0]
	real, good := diffOne(t, c, u, simconfig.UpdateAtPath)
	require.True(t, real.equal(good), "ToolHive %s\nsimulation %s", real, good)
	real, bad := diffOne(t, c, u, treeEditingWriter)
	require.False(t, real.equal(bad), "the tree-editing writer must differ")
	require.Contains(t, string(bad.data), "future_toolhive_field")
	require.NotContains(t, string(real.data), "future_toolhive_field", "ToolHive drops the unknown field")

	// And on the generated cases: it differs on most of them.
	seed, n := diffCases(t)
	r := rand.New(rand.NewPCG(seed, 213))
	differ := 0
	for i := range min(n, 60) {
		c := genToolHiveConfig(r)
		us := cfgUpdates(fmt.Sprintf("v-%d", i))
		u := us[r.IntN(2)] // the string updates it supports
		if real, bad := diffOne(t, c, u, treeEditingWriter); !real.equal(bad) {
			differ++
		}
	}
	t.Logf("the tree-editing writer differs from ToolHive on %d of %d generated cases", differ, min(n, 60))
	require.Greater(t, differ, min(n, 60)/2)
}

// treeEditingWriter is the pre-21.3 simulation (a mutant now): set the
// top-level string field in the yaml.Node tree, keep everything else.
func treeEditingWriter(_ context.Context, fsys afero.Fs, path string, fn func(*simconfig.Config) error) error {
	var probe simconfig.Config
	if err := fn(&probe); err != nil {
		return err
	}
	field, value := "registry_url", probe.RegistryUrl
	if value == "" {
		field, value = "registry_api_url", probe.RegistryApiUrl
	}
	data, err := afero.ReadFile(fsys, path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return errors.New("top level is not a mapping")
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
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return afero.WriteFile(fsys, path, buf.Bytes(), 0o600)
}
