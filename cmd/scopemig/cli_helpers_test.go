package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/scopemig/scopemig/impl/encfile"
)

const (
	fixtureDir      = "../../testdata/toolhive-v0.47.0"
	fixturePassword = "correct horse battery staple"
)

// install copies the fixture store and config into a fresh directory on
// fsys (the store 0600, the config 0600, the directory 0700) and returns
// the directory.
func install(t *testing.T, fsys afero.Fs, dir string) string {
	t.Helper()
	require.NoError(t, fsys.MkdirAll(dir, 0o700))
	for _, name := range []string{"secrets_encrypted", "config.yaml"} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, name))
		require.NoError(t, err)
		require.NoError(t, afero.WriteFile(fsys, filepath.Join(dir, name), b, 0o600))
	}
	return dir
}

// testEnv is a cliEnv on fsys with the given environment variables and a
// home directory that holds nothing.
func testEnv(fsys afero.Fs, vars map[string]string) cliEnv {
	e := osEnv()
	e.fs = fsys
	e.getenv = func(k string) string { return vars[k] }
	e.home = func() (string, error) { return "/nonexistent-home", nil }
	return e
}

func pwEnv() map[string]string { return map[string]string{PasswordEnvVar: fixturePassword} }

// run executes one command in-process and returns stdout, the one-line
// stderr main would print, and the exit status.
func run(t *testing.T, newCmd func(cliEnv) *cobra.Command, env cliEnv, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := newCmd(env)
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := cmd.ExecuteContext(ctx)
	require.Empty(t, errb.String(), "commands print nothing on stderr themselves")
	code = writeError(&errb, err)
	return out.String(), errb.String(), code
}

// fileSnap is one file of a directory snapshot.
type fileSnap struct {
	Mode os.FileMode
	Data string
}

// snapshot returns every entry under dir on fsys with its mode and bytes.
func snapshot(t *testing.T, fsys afero.Fs, dir string) map[string]fileSnap {
	t.Helper()
	out := map[string]fileSnap{}
	require.NoError(t, afero.Walk(fsys, dir, func(p string, info fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		s := fileSnap{Mode: info.Mode()}
		if info.Mode().IsRegular() {
			b, err := afero.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			s.Data = string(b)
		}
		out[rel] = s
		return nil
	}))
	return out
}

// fixtureRaw returns the "raw" map of a fixture JSON file.
func fixtureRaw(t *testing.T, name string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	require.NoError(t, err)
	var doc struct {
		Raw map[string]string `json:"raw"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	require.NotEmpty(t, doc.Raw)
	return doc.Raw
}

// decrypt returns the content of the store at path.
func decrypt(t *testing.T, fsys afero.Fs, path string) map[string]string {
	t.Helper()
	s, err := encfile.Open(fsys, path, []byte(fixturePassword))
	require.NoError(t, err)
	m, err := s.Snapshot(context.Background())
	require.NoError(t, err)
	return m
}

// yamlMap parses a YAML file into a generic map.
func yamlMap(t *testing.T, fsys afero.Fs, path string) map[string]any {
	t.Helper()
	b, err := afero.ReadFile(fsys, path)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, yaml.Unmarshal(b, &m))
	return m
}
