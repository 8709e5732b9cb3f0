package thconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"

	"github.com/spf13/afero"
	"gopkg.in/yaml.v3"
)

// ErrLoad marks a config ToolHive's loader rejects (unreadable, not YAML,
// a value of the wrong type for its field): UpdateAtPath then writes
// nothing and returns an error wrapping it.
var ErrLoad = errors.New("toolhive: cannot load config")

// ProviderBasic is the secrets provider name ToolHive renames to
// ProviderEncrypted when it loads a config.
const (
	ProviderBasic     = "basic"
	ProviderEncrypted = "encrypted"
)

// Decode is ToolHive's decoding of an existing config: yaml.Unmarshal into
// Config (unknown fields dropped, a wrong type an error wrapping ErrLoad),
// then applyBackwardCompatibility: provider "basic" becomes "encrypted",
// and a provider set with setup_completed false becomes setup_completed
// true. saves is the number of times ToolHive writes the file back while
// loading it (0, 1 or 2: one per fix-up applied).
func Decode(data []byte) (c *Config, saves int, err error) {
	c = &Config{}
	if err := yaml.Unmarshal(data, c); err != nil {
		return nil, 0, fmt.Errorf("%w: failed to parse config file yaml: %w", ErrLoad, err)
	}
	if c.Secrets.ProviderType == ProviderBasic {
		c.Secrets.ProviderType = ProviderEncrypted
		saves++
	}
	if c.Secrets.ProviderType != "" && !c.Secrets.SetupCompleted {
		c.Secrets.SetupCompleted = true
		saves++
	}
	return c, saves, nil
}

// Encode is ToolHive's saveToPath serialisation: yaml.Marshal of the
// struct (four-space indent, fields in struct order).
func Encode(c *Config) ([]byte, error) {
	out, err := yaml.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("toolhive: error serializing config file: %w", err)
	}
	return out, nil
}

// LoadOrCreate is ToolHive's LoadOrCreateConfigFromPath on fsys: a missing
// file is created with the defaults (the zero Config); an existing one is
// decoded (Decode) and written back once per backward-compatibility
// fix-up, as ToolHive does. Writes are in place (save).
func LoadOrCreate(fsys afero.Fs, configPath string) (*Config, error) {
	configPath = path.Clean(configPath)
	if _, err := fsys.Stat(configPath); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: failed to stat secrets file: %w", ErrLoad, err)
		}
		c := &Config{}
		if err := save(fsys, configPath, c); err != nil {
			return nil, fmt.Errorf("failed to write default config: %w", err)
		}
		return c, nil
	}
	data, err := afero.ReadFile(fsys, configPath)
	if err != nil {
		return nil, fmt.Errorf("%w: unable to read config file %s: %w", ErrLoad, configPath, err)
	}
	c, saves, err := Decode(data)
	if err != nil {
		return nil, err
	}
	for range saves {
		if err := save(fsys, configPath, c); err != nil {
			return nil, fmt.Errorf("failed to apply backward compatibility fixes: %w", err)
		}
	}
	return c, nil
}

// save is ToolHive's saveToPath: Encode, then os.WriteFile in place (open
// O_WRONLY|O_CREATE|O_TRUNC 0600, one write, close; no fsync, no rename).
func save(fsys afero.Fs, configPath string, c *Config) error {
	out, err := Encode(c)
	if err != nil {
		return err
	}
	f, err := fsys.OpenFile(configPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("toolhive: error writing config file: %w", err)
	}
	_, werr := f.Write(out)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("toolhive: error writing config file: %w", werr)
	}
	return nil
}
