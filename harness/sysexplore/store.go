package sysexplore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/model"
)

// errUnreadable: a crash image the target's store format cannot read (a
// torn or empty store file, a dump command that fails). On a crash image
// it is an I7 violation.
var errUnreadable = errors.New("store is unreadable")

// Layout says where a ToolHive-layout store keeps its files in the
// explored directory. The zero value is ToolHive's: "secrets_encrypted"
// and "config.yaml".
type Layout struct {
	SecretsFile string // encrypted store, relative to the directory
	ConfigFile  string // YAML config with the migration flag
}

func (l Layout) secrets() string {
	if l.SecretsFile == "" {
		return "secrets_encrypted"
	}
	return l.SecretsFile
}

func (l Layout) config() string {
	if l.ConfigFile == "" {
		return "config.yaml"
	}
	return l.ConfigFile
}

// reader reads the store content of an image directory.
type reader interface {
	read(ctx context.Context, dir string) (model.State, error)
}

// nativeReader reads ToolHive's encrypted file and config.yaml.
type nativeReader struct {
	layout   Layout
	password []byte
}

func (r nativeReader) read(_ context.Context, dir string) (model.State, error) {
	s := model.State{Secrets: map[string]string{}}
	b, err := os.ReadFile(filepath.Join(dir, r.layout.secrets()))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return s, fmt.Errorf("%w: %v", errUnreadable, err)
	default:
		m, err := encfile.Decode(encfile.KeyFromPassword(r.password), b)
		if err != nil {
			return s, fmt.Errorf("%w: %s (%d bytes): %v", errUnreadable, r.layout.secrets(), len(b), err)
		}
		s.Secrets = m
	}
	doc, present, err := readConfigDoc(filepath.Join(dir, r.layout.config()))
	if err != nil || !present {
		// An unreadable config is I9's business; the flag reads as unset.
		return s, nil
	}
	s.Migrated = doc[flagKey] == true
	return s, nil
}

// dumpReader runs a command that prints the store as JSON
// {"secrets":{...},"migrated":bool}; "{dir}" in its args is the image.
type dumpReader struct {
	argv []string
	env  []string
}

func (r dumpReader) read(ctx context.Context, dir string) (model.State, error) {
	cmd := exec.CommandContext(ctx, r.argv[0], substitute(r.argv[1:], dir)...)
	cmd.Env = r.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	s := model.State{Secrets: map[string]string{}}
	if err := cmd.Run(); err != nil {
		// The dump's stderr may name values: only its size is reported.
		return s, fmt.Errorf("%w: dump command: %v (%d bytes of stderr)", errUnreadable, err, errb.Len())
	}
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		return s, fmt.Errorf("%w: dump output is not the store JSON: %v", errUnreadable, err)
	}
	if s.Secrets == nil {
		s.Secrets = map[string]string{}
	}
	return s, nil
}
