package harness

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/model"
)

// configPerm is the mode of a seeded config file (ToolHive writes 0600).
const configPerm = 0o600

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

// maxConfigMemo bounds the parsed configs a configMemo keeps (it is
// cleared when full: a run sees a handful of distinct configs).
const maxConfigMemo = 1 << 10

// configMemo remembers model.ParseConfig by exact config (existence and
// bytes): the model's I9 checks and Diff parse the same few documents at
// every crash image and state-machine step. Safe for concurrent use; the
// zero value is empty.
type configMemo struct {
	mu   sync.Mutex // guards docs
	docs map[model.Config]parsedConfig
}

type parsedConfig struct {
	doc model.ConfigDoc
	err error
}

// parse is a model.ConfigParser.
func (c *configMemo) parse(cfg model.Config) (model.ConfigDoc, error) {
	c.mu.Lock()
	p, ok := c.docs[cfg]
	c.mu.Unlock()
	if ok {
		return p.doc, p.err
	}
	doc, err := model.ParseConfig(cfg)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.docs == nil || len(c.docs) >= maxConfigMemo {
		c.docs = make(map[model.Config]parsedConfig)
	}
	c.docs[cfg] = parsedConfig{doc, err}
	return doc, err
}
