package sysexplore

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"reflect"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/scopemig/scopemig/model"
)

// flagKey is the config field of the migration flag.
const flagKey = "secret_scope_migration"

// I9 is config-preservation (SPEC §2). It is checked here until the model
// carries the config (then this check defers to it).
const I9 model.InvariantID = "I9"

// readConfigDoc parses a YAML config into its top-level fields. present
// is false when the file does not exist.
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

// checkConfig (I9): the config of an image is absent only where the
// starting one was, parses, and keeps every field other than the flag
// with its value. Field values are never printed, only field names.
func checkConfig(before map[string]any, beforePresent bool, path string) []model.Violation {
	after, present, err := readConfigDoc(path)
	v := func(format string, a ...any) model.Violation {
		return model.Violation{ID: I9, Detail: fmt.Sprintf(format, a...)}
	}
	switch {
	case !present && beforePresent:
		return []model.Violation{v("config is gone")}
	case !present:
		return nil
	case err != nil:
		return []model.Violation{v("config %v", err)}
	}
	var out []model.Violation
	for _, k := range slices.Sorted(maps.Keys(before)) {
		if k == flagKey {
			continue
		}
		got, ok := after[k]
		switch {
		case !ok:
			out = append(out, v("config field %q is gone", k))
		case !reflect.DeepEqual(got, before[k]):
			out = append(out, v("config field %q changed", k))
		}
	}
	return out
}
