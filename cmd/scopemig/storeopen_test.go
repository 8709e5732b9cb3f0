package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
)

func envWith(vars map[string]string, fs afero.Fs) cliEnv {
	return cliEnv{
		fs:     fs,
		getenv: func(k string) string { return vars[k] },
		home:   func() (string, error) { return "/home/u", nil },
	}
}

func TestDefaultPaths(t *testing.T) {
	e := envWith(nil, afero.NewMemMapFs())
	s, c, err := e.paths(storeFlags{})
	require.NoError(t, err)
	require.Equal(t, "/home/u/.local/share/toolhive/secrets_encrypted", s)
	require.Equal(t, "/home/u/.config/toolhive/config.yaml", c)

	e = envWith(map[string]string{"XDG_DATA_HOME": "/d", "XDG_CONFIG_HOME": "/c"}, afero.NewMemMapFs())
	s, c, err = e.paths(storeFlags{})
	require.NoError(t, err)
	require.Equal(t, "/d/toolhive/secrets_encrypted", s)
	require.Equal(t, "/c/toolhive/config.yaml", c)

	e = envWith(map[string]string{"XDG_DATA_HOME": "relative"}, afero.NewMemMapFs())
	s, _, err = e.paths(storeFlags{})
	require.NoError(t, err)
	require.Equal(t, "/home/u/.local/share/toolhive/secrets_encrypted", s, "relative XDG values are ignored")

	s, c, err = e.paths(storeFlags{secretsFile: "x/s", configFile: "x/c"})
	require.NoError(t, err)
	require.Equal(t, []string{"x/s", "x/c"}, []string{s, c})

	e.home = func() (string, error) { return "", errors.New("no HOME") }
	_, _, err = e.paths(storeFlags{})
	require.ErrorIs(t, err, errNoHome)
}

func TestPassword(t *testing.T) {
	fs := afero.NewMemMapFs()
	e := envWith(map[string]string{PasswordEnvVar: "from env"}, fs)
	pw, err := e.password("")
	require.NoError(t, err)
	require.Equal(t, "from env", string(pw))

	_, err = envWith(nil, fs).password("")
	require.ErrorIs(t, err, errNoPassword)

	for content, want := range map[string]string{
		"secret\n":     "secret",
		"secret\r\n":   "secret",
		"secret":       "secret",
		"secret\n\n":   "secret\n",
		" spaced  \n":  " spaced  ",
		"ünï😀\n":       "ünï😀",
		"pass\nword\n": "pass\nword",
	} {
		require.NoError(t, afero.WriteFile(fs, "/pw", []byte(content), 0o600))
		pw, err := e.password("/pw")
		require.NoError(t, err)
		require.Equal(t, want, string(pw), "%q", content)
	}

	require.NoError(t, afero.WriteFile(fs, "/empty", []byte("\n"), 0o600))
	_, err = e.password("/empty")
	require.ErrorIs(t, err, errNoPassword)

	for _, mode := range []os.FileMode{0o640, 0o604, 0o660, 0o644, 0o601} {
		require.NoError(t, afero.WriteFile(fs, "/open", []byte("pw"), mode))
		require.NoError(t, fs.Chmod("/open", mode))
		_, err = e.password("/open")
		require.ErrorIs(t, err, errPasswordFilePerms, "%04o", mode)
		require.NotContains(t, err.Error(), "pw\"")
	}
	require.NoError(t, afero.WriteFile(fs, "/ro", []byte("pw"), 0o400))
	_, err = e.password("/ro")
	require.NoError(t, err)

	_, err = e.password("/missing")
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestPasswordFilePermsOnDisk(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(p, []byte("x\n"), 0o600))
	e := envWith(nil, afero.NewOsFs())
	pw, err := e.password(p)
	require.NoError(t, err)
	require.Equal(t, "x", string(pw))
	require.NoError(t, os.Chmod(p, 0o644))
	_, err = e.password(p)
	require.ErrorIs(t, err, errPasswordFilePerms)
}

func TestWriteErrorIsOneLine(t *testing.T) {
	var b bytes.Buffer
	require.Equal(t, 0, writeError(&b, nil))
	require.Empty(t, b.String())
	require.Equal(t, 1, writeError(&b, errors.New("bad\nthing  here")))
	require.Equal(t, "scopemig: bad thing here\n", b.String())
	require.Equal(t, 1, exitCode(errNoStore))
	require.Equal(t, 0, exitCode(nil))
}

func TestDisplayKey(t *testing.T) {
	require.Equal(t, "BEARER_TOKEN_ü", displayKey("BEARER_TOKEN_ü"))
	require.Equal(t, `"BEARER_TOKEN_a\nb"`, displayKey("BEARER_TOKEN_a\nb"))
	require.Equal(t, `"a\tb"`, displayKey("a\tb"))
}
