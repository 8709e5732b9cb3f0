package sysexplore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/scopemig/scopemig/model"
)

// flagKey is the config field of the migration flag.
const flagKey = "secret_scope_migration"

// readConfigDoc parses a YAML config into its top-level fields (for the
// native reader's flag). present is false when the file does not exist.
func readConfigDoc(path string) (doc map[string]any, present bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	if len(b) == 0 {
		return nil, true, errors.New("empty (0 bytes)")
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, true, fmt.Errorf("does not parse (%d bytes): %w", len(b), err)
	}
	if m == nil {
		return nil, true, fmt.Errorf("holds no mapping (%d bytes)", len(b))
	}
	return m, true, nil
}

// readConfigBytes reads a config file; nil when it does not exist.
func readConfigBytes(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// checkConfig (I9) is the model's check (model.CheckConfigBytes) of the
// config at path against the starting one (nil: there was none). Details
// name fields, never values.
func checkConfig(before []byte, path string) []model.Violation {
	after, err := readConfigBytes(path)
	if err != nil {
		return []model.Violation{{ID: model.I9, Detail: "cannot read the config: " + err.Error()}}
	}
	return model.CheckConfigBytes(before, after)
}
