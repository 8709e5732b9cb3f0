package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
)

// PasswordEnvVar is ToolHive's environment variable for the store password.
const PasswordEnvVar = "TOOLHIVE_SECRETS_PASSWORD"

// Default locations, relative to the XDG base directories, exactly as
// ToolHive resolves them (xdg.DataFile / xdg.ConfigFile).
const (
	defaultSecretsRel = "toolhive/secrets_encrypted"
	defaultConfigRel  = "toolhive/config.yaml"
)

// Errors of the store-opening helpers, tested with errors.Is.
var (
	errNoPassword        = errors.New("no password: set " + PasswordEnvVar + " or pass --password-file")
	errPasswordFilePerms = errors.New("password file is accessible by group or others")
	errNoStore           = errors.New("no secrets file")
	errNoHome            = errors.New("cannot locate the home directory")
	errNoBackend         = errors.New("store backend not available")
)

// storeOpenFunc opens (and decrypts) a secrets store without writing to it
// beyond the store's own crash recovery.
type storeOpenFunc func(fsys afero.Fs, path string, password []byte) (secrets.Provider, error)

// flagOpenFunc returns the migration flag kept in the config file at path.
type flagOpenFunc func(fsys afero.Fs, path string) migrate.FlagStore

// cliEnv is everything the plan and migrate commands take from the outside
// world, so that tests can run them in-process on an in-memory Fs.
type cliEnv struct {
	fs        afero.Fs
	getenv    func(string) string
	home      func() (string, error)
	openStore storeOpenFunc
	openFlag  flagOpenFunc
}

// osEnv is the real environment: the OS filesystem, the process
// environment, and ToolHive's encrypted file store and config.
func osEnv() cliEnv {
	return cliEnv{
		fs:        afero.NewOsFs(),
		getenv:    os.Getenv,
		home:      os.UserHomeDir,
		openStore: openEncFile,
		openFlag:  openConfigFlag,
	}
}

// storeFlags are the flags shared by plan and migrate.
type storeFlags struct {
	secretsFile  string
	configFile   string
	passwordFile string
	policy       migrate.Policy
	json         bool
}

func (f *storeFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.secretsFile, "secrets-file", "", "encrypted secrets file (default $XDG_DATA_HOME/"+defaultSecretsRel+")")
	fl.StringVar(&f.configFile, "config", "", "ToolHive config file (default $XDG_CONFIG_HOME/"+defaultConfigRel+")")
	fl.StringVar(&f.passwordFile, "password-file", "", "file holding the store password (mode 0600; default: $"+PasswordEnvVar+")")
	fl.Var(&f.policy, "on-conflict", "what to do with a legacy value whose scoped key holds a different value: keep (quarantine it) or drop (ToolHive's behaviour)")
	fl.BoolVar(&f.json, "json", false, "print a JSON report (fields documented in docs/cli.md)")
}

// openedStore is a fully validated store: password checked by decryption,
// config parsed and its flag read.
type openedStore struct {
	secretsPath string
	configPath  string
	provider    secrets.Provider
	flag        migrate.FlagStore
	migrated    bool // the flag's value when opened
}

// open resolves the paths, reads the password, parses the config and reads
// its flag, then opens and decrypts the store — every check plan and migrate
// need, before either writes anything. It writes nothing itself (the store's
// own open may remove stale temp files of a crashed writer).
func (e cliEnv) open(ctx context.Context, f storeFlags) (*openedStore, error) {
	secretsPath, configPath, err := e.paths(f)
	if err != nil {
		return nil, err
	}
	password, err := e.password(f.passwordFile)
	if err != nil {
		return nil, err
	}
	if e.openStore == nil || e.openFlag == nil {
		return nil, errNoBackend
	}
	flag := e.openFlag(e.fs, configPath)
	migrated, err := flag.Migrated(ctx)
	if err != nil {
		return nil, err // names the config file
	}
	info, err := e.fs.Stat(secretsPath)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("%w at %s (pass --secrets-file)", errNoStore, secretsPath)
	case err != nil:
		return nil, fmt.Errorf("secrets file %s: %w", secretsPath, err)
	case info.IsDir():
		return nil, fmt.Errorf("%w at %s (it is a directory)", errNoStore, secretsPath)
	}
	p, err := e.openStore(e.fs, secretsPath, password)
	if err != nil {
		return nil, err // names the secrets file
	}
	return &openedStore{secretsPath: secretsPath, configPath: configPath, provider: p, flag: flag, migrated: migrated}, nil
}

// paths returns the secrets and config paths: the flags, else ToolHive's
// XDG defaults ($XDG_DATA_HOME, default ~/.local/share; $XDG_CONFIG_HOME,
// default ~/.config; a relative XDG variable is ignored, as the XDG spec
// requires).
func (e cliEnv) paths(f storeFlags) (secretsPath, configPath string, err error) {
	secretsPath, configPath = f.secretsFile, f.configFile
	if secretsPath == "" {
		dir, err := e.xdgDir("XDG_DATA_HOME", ".local/share")
		if err != nil {
			return "", "", err
		}
		secretsPath = filepath.Join(dir, defaultSecretsRel)
	}
	if configPath == "" {
		dir, err := e.xdgDir("XDG_CONFIG_HOME", ".config")
		if err != nil {
			return "", "", err
		}
		configPath = filepath.Join(dir, defaultConfigRel)
	}
	return secretsPath, configPath, nil
}

func (e cliEnv) xdgDir(envVar, homeRel string) (string, error) {
	if dir := e.getenv(envVar); filepath.IsAbs(dir) {
		return dir, nil
	}
	if e.home == nil {
		return "", errNoHome
	}
	home, err := e.home()
	if err != nil || home == "" {
		return "", fmt.Errorf("%w (set $%s or pass the path explicitly)", errNoHome, envVar)
	}
	return filepath.Join(home, homeRel), nil
}

// password reads the store password from passwordFile (which must not be
// accessible by group or others; one trailing newline is trimmed) or, with
// no file, from $TOOLHIVE_SECRETS_PASSWORD.
func (e cliEnv) password(passwordFile string) ([]byte, error) {
	if passwordFile == "" {
		pw := e.getenv(PasswordEnvVar)
		if pw == "" {
			return nil, errNoPassword
		}
		return []byte(pw), nil
	}
	info, err := e.fs.Stat(passwordFile)
	if err != nil {
		return nil, fmt.Errorf("password file: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; run: chmod 600 %s", errPasswordFilePerms, passwordFile, perm, passwordFile)
	}
	b, err := afero.ReadFile(e.fs, passwordFile)
	if err != nil {
		return nil, fmt.Errorf("password file: %w", err)
	}
	if bytes.HasSuffix(b, []byte("\r\n")) {
		b = b[:len(b)-2]
	} else {
		b = bytes.TrimSuffix(b, []byte("\n"))
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: %s is empty", errNoPassword, passwordFile)
	}
	return b, nil
}

// exitCode maps the error returned by a command's RunE to the process exit
// status: 0 for nil, 1 for any failure. main calls it; commands never exit.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, errInconclusive) { // verify: nothing violated, something not judged
		return 2
	}
	return 1
}

// writeError prints err as the one line "scopemig: <message>" (newlines in
// the message are flattened) and returns the exit status for it.
func writeError(w io.Writer, err error) int {
	if err == nil {
		return 0
	}
	msg := strings.Join(strings.Fields(err.Error()), " ")
	fmt.Fprintf(w, "scopemig: %s\n", msg)
	return exitCode(err)
}

// openEncFile opens and decrypts ToolHive's encrypted secrets file.
func openEncFile(fsys afero.Fs, path string, password []byte) (secrets.Provider, error) {
	return encfile.Open(fsys, path, password)
}

// openConfigFlag returns the secret_scope_migration flag of a ToolHive
// config file.
func openConfigFlag(fsys afero.Fs, path string) migrate.FlagStore {
	return config.Flag{Fs: fsys, Path: path}
}
