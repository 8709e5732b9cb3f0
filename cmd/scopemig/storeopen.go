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
	"time"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/fslock"
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
	errPasswordFileKind  = errors.New("password file is not a regular file")
	errPasswordFileSize  = errors.New("password file is too large")
	errNoStore           = errors.New("no secrets file")
	errNoHome            = errors.New("cannot locate the home directory")
	errNoBackend         = errors.New("store backend not available")
	errNeedsConfig       = errors.New("--secrets-file names a store other than the default one: pass --config with the config that goes with it, or --no-flag to migrate the data only")
	errNoFlagWithConfig  = errors.New("--no-flag and --config exclude each other: --no-flag reads and writes no config")
)

// defaultLockTimeout bounds each lock wait of plan and migrate.
const defaultLockTimeout = 60 * time.Second

// storeOpenFunc opens (and decrypts) a secrets store without writing to it
// beyond the store's own crash recovery; ctx bounds its lock wait.
type storeOpenFunc func(ctx context.Context, fsys afero.Fs, path string, password []byte) (secrets.Provider, error)

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
	lockTimeout  time.Duration
	noFlag       bool             // migrate only: no config is read or written
	stderr       func() io.Writer // where lock waits are announced (the command's stderr)
}

func (f *storeFlags) register(cmd *cobra.Command) {
	f.stderr = cmd.ErrOrStderr
	fl := cmd.Flags()
	fl.StringVar(&f.secretsFile, "secrets-file", "", "encrypted secrets file (default $XDG_DATA_HOME/"+defaultSecretsRel+")")
	fl.StringVar(&f.configFile, "config", "", "ToolHive config file (default $XDG_CONFIG_HOME/"+defaultConfigRel+")")
	fl.StringVar(&f.passwordFile, "password-file", "", "file holding the store password (mode 0600; default: $"+PasswordEnvVar+")")
	fl.Var(&f.policy, "on-conflict", "what to do with a legacy value whose scoped key holds a different value: keep (quarantine it) or drop (ToolHive's behaviour)")
	fl.BoolVar(&f.json, "json", false, "print a JSON report (fields documented in docs/cli.md)")
	f.lockTimeout = defaultLockTimeout
	fl.Var((*lockTimeout)(&f.lockTimeout), "lock-timeout", "give up (exit 1) when a lock held by another process is not granted within this time; 0 waits forever")
}

// lockContext returns ctx with the lock-wait behaviour of plan and migrate:
// a lock still held by another process after about a second is announced
// with one line on stderr, and each wait ends after f.lockTimeout (0: no
// limit) with an error wrapping fslock.ErrTimeout.
func (f storeFlags) lockContext(ctx context.Context) context.Context {
	var stderr io.Writer = os.Stderr
	if f.stderr != nil {
		stderr = f.stderr()
	}
	timeout := f.lockTimeout // never negative: the flag refuses it
	return fslock.WithWait(ctx, fslock.Wait{
		Notify: func(lock string) {
			fmt.Fprintf(stderr, "scopemig: waiting for the %s (held by another process; --lock-timeout %s)\n", lock, timeout)
		},
		Timeout: timeout,
	})
}

// openedStore is a fully validated store: password checked by decryption,
// config parsed and its flag read.
type openedStore struct {
	secretsPath string
	configPath  string
	provider    secrets.Provider
	flag        migrate.FlagStore
	migrated    bool // the flag's value when opened
	// fp is the store's keyed fingerprinter: derived from its password, so
	// every command on the store prints the same fingerprints.
	fp secrets.Fingerprinter
}

// open resolves the paths, reads the password, parses the config and reads
// its flag, then opens and decrypts the store — every check plan and migrate
// need, before either writes anything. It writes nothing itself (the store's
// own open may remove stale temp files of a crashed writer).
// Its lock waits follow f (lockContext; applying it twice is harmless).
func (e cliEnv) open(ctx context.Context, f storeFlags) (*openedStore, error) {
	ctx = f.lockContext(ctx)
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
	var (
		flag     migrate.FlagStore
		migrated bool
	)
	if f.noFlag {
		configPath = ""
	} else {
		flag = e.openFlag(e.fs, configPath)
		if migrated, err = flag.Migrated(ctx); err != nil {
			return nil, err // names the config file
		}
	}
	if err := e.checkStorePath(secretsPath); err != nil {
		return nil, err
	}
	p, err := e.openStore(ctx, e.fs, secretsPath, password)
	if err != nil {
		return nil, err // names the secrets file
	}
	fp, err := encfile.NewFingerprinter(password)
	if err != nil {
		return nil, err
	}
	return &openedStore{secretsPath: secretsPath, configPath: configPath, provider: p, flag: flag, migrated: migrated, fp: fp}, nil
}

// checkStorePath checks, reading only, that a store exists at path: a
// symlink is followed when it is safe (atomicfile.Resolve; an unsafe or
// dangling one is refused with its own one-line reason), and the file it
// leads to must exist and not be a directory.
func (e cliEnv) checkStorePath(path string) error {
	res, err := atomicfile.Resolve(e.fs, path)
	if err != nil {
		return fmt.Errorf("secrets file: %w", err)
	}
	info, err := e.fs.Stat(res.Target)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%w at %s (pass --secrets-file)", errNoStore, path)
	case err != nil:
		return fmt.Errorf("secrets file %s: %w", path, err)
	case info.IsDir():
		return fmt.Errorf("%w at %s (it is a directory)", errNoStore, path)
	}
	return nil
}

// checkFlagTarget enforces migrate's rule for the flag's config: a
// --secrets-file other than the default store needs --config (its own
// config) or --no-flag, so that a copy's flag never lands in the user's
// real config; --no-flag with --config is a contradiction.
func (e cliEnv) checkFlagTarget(f storeFlags) error {
	if f.noFlag {
		if f.configFile != "" {
			return errNoFlagWithConfig
		}
		return nil
	}
	if f.secretsFile == "" || f.configFile != "" {
		return nil
	}
	def, _, err := e.paths(storeFlags{})
	if err != nil || !e.sameFile(f.secretsFile, def) {
		return fmt.Errorf("%w (default: %s)", errNeedsConfig, displayDefault(def, err))
	}
	return nil
}

func displayDefault(def string, err error) string {
	if err != nil {
		return "unknown: " + err.Error()
	}
	return def
}

// sameFile reports whether a and b name the same file: the same absolute
// clean path, or two existing paths to one inode.
func (e cliEnv) sameFile(a, b string) bool {
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	if errA == nil && errB == nil && absA == absB {
		return true
	}
	fa, errA := e.fs.Stat(a)
	fb, errB := e.fs.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
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

// maxPasswordFile bounds the password file: a password, not a file to
// read into memory whatever its size.
const maxPasswordFile = 64 << 10

// password reads the store password from passwordFile (which must be a
// regular file of at most 64 KiB, symlinks followed, and must not be
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
	info, err := e.fs.Stat(passwordFile) // a symlink to a regular file is fine (mounted secrets)
	if err != nil {
		return nil, fmt.Errorf("password file: %w", err)
	}
	if !info.Mode().IsRegular() { // a FIFO would block the read, a device never end it
		return nil, fmt.Errorf("%w: %s is a %s", errPasswordFileKind, passwordFile, atomicfile.TypeName(info.Mode()))
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; run: chmod 600 %s", errPasswordFilePerms, passwordFile, perm, passwordFile)
	}
	if info.Size() > maxPasswordFile {
		return nil, fmt.Errorf("%w: %s has %d bytes (at most %d)", errPasswordFileSize, passwordFile, info.Size(), maxPasswordFile)
	}
	f, err := e.fs.Open(passwordFile)
	if err != nil {
		return nil, fmt.Errorf("password file: %w", err)
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxPasswordFile+1)) // it may have grown since Stat
	if err != nil {
		return nil, fmt.Errorf("password file: %w", err)
	}
	if len(b) > maxPasswordFile {
		return nil, fmt.Errorf("%w: %s has more than %d bytes", errPasswordFileSize, passwordFile, maxPasswordFile)
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
func openEncFile(ctx context.Context, fsys afero.Fs, path string, password []byte) (secrets.Provider, error) {
	return encfile.OpenContext(ctx, fsys, path, password)
}

// openConfigFlag returns the secret_scope_migration flag of a ToolHive
// config file.
var _ migrate.FlagWriteReporter = config.Flag{}

func openConfigFlag(fsys afero.Fs, path string) migrate.FlagStore {
	return config.Flag{Fs: fsys, Path: path}
}
