package harness

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/model"
)

// configPerm is the mode of a seeded config file (ToolHive writes 0600).
const configPerm = 0o600

// FixtureConfig is the config.yaml of the ToolHive v0.47.0 fixture
// (testdata/toolhive-v0.47.0/config.yaml, written by ToolHive's own config
// package), built into the harness so the CLI can seed it from any
// directory. A test checks that it matches the fixture file byte for byte.
const FixtureConfig = `secrets:
    provider_type: encrypted
    setup_completed: true
clients:
    registered_clients: []
registry_url: https://registry.example.invalid/registry.json
registry_api_url: ""
local_registry_path: ""
allow_private_registry_ip: false
default_group_migration: true
`

// readConfigFile reads the config file at path on fsys as the model sees
// it: absent, or present with its bytes.
func readConfigFile(fsys afero.Fs, path string) (model.Config, error) {
	b, err := afero.ReadFile(fsys, path)
	if errors.Is(err, fs.ErrNotExist) {
		return model.Config{}, nil
	}
	if err != nil {
		return model.Config{}, err
	}
	return model.Config{Exists: true, Text: string(b)}, nil
}

// writeConfigFile seeds c at path on fsys (nothing when c is absent).
func writeConfigFile(fsys afero.Fs, path string, c model.Config) error {
	if !c.Exists {
		return nil
	}
	return afero.WriteFile(fsys, path, []byte(c.Text), os.FileMode(configPerm))
}

// configPieces are the top-level fields generated configs are built from:
// ToolHive's own (nested), unknown ones (a newer ToolHive's, a user's),
// flow and block collections, quoted strings that look like YAML syntax, a
// block scalar, and an anchor with an alias and a merge key.
var configPieces = [...]string{
	"secrets:\n    provider_type: encrypted\n    setup_completed: true\n",
	"registry_url: https://registry.example.invalid/registry.json\n",
	"future_toolhive_field:\n    nested:\n        deeper: [1, 2, {x: y}]\n",
	"unknown_list:\n    - a\n    - {b: c}\n",
	"quoted: \"with: colon # and hash\"\n",
	"multiline: |\n    line one\n    line two\n",
	"base: &base {k: v, n: [1, 2]}\nderived:\n    <<: *base\n    extra: .nan\nalias: *base\n",
	"empty_value:\nnull_value: ~\n",
	"otel:\n    enabled: true # inline comment\n    endpoint: localhost:4318\n",
}

// genConfig draws the config file of a generated case: none, an empty
// file, the fixture's, or a generated document of a few pieces (unknown
// and nested fields, comments, anchors), maybe with the flag present and
// false.
func genConfig(c chooser) model.Config {
	switch c.intn("config", 8) {
	case 0:
		return model.Config{}
	case 1:
		return model.Config{Exists: true}
	case 2, 3:
		return model.Config{Exists: true, Text: FixtureConfig}
	}
	var b strings.Builder
	if c.intn("config-comment", 2) == 0 {
		b.WriteString("# ToolHive configuration (edited by hand)\n")
	}
	used := map[int]bool{}
	for n := 1 + c.intn("config-fields", 3); n > 0; n-- {
		i := c.intn("config-piece", len(configPieces))
		if !used[i] {
			used[i] = true
			b.WriteString(configPieces[i])
		}
	}
	if c.intn("config-flag", 3) == 0 {
		b.WriteString(model.ConfigFlag + ": false # not yet\n")
	}
	return model.Config{Exists: true, Text: b.String()}
}

// describeConfig summarizes a config for counterexamples: absent, blank,
// or its field names (config values are not secrets, but stay short).
func describeConfig(c model.Config) string {
	if !c.Exists {
		return "config absent"
	}
	d, err := model.ParseConfig(c)
	switch {
	case err != nil:
		return fmt.Sprintf("config unparsable (%d bytes)", len(c.Text))
	case d.Blank:
		return fmt.Sprintf("config blank (%d bytes)", len(c.Text))
	}
	return fmt.Sprintf("config %d fields, %d bytes", len(d.Fields), len(c.Text))
}
