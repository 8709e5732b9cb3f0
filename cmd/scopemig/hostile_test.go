package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
)

// securityDoc is the document TestHostileInputs generates; the committed
// docs/security.md must equal it.
const securityDoc = "../../docs/security.md"

// writeSecurityDocEnv makes TestHostileInputs (re)write docs/security.md
// instead of checking it.
const writeSecurityDocEnv = "SCOPEMIG_WRITE_SECURITY_DOC"

// hostileCase is one bad input: setup damages a fresh copy of the fixture
// in dir (store secrets_encrypted, config config.yaml, both 0600, dir
// 0700) and returns extra command-line arguments.
type hostileCase struct {
	name  string
	env   map[string]string // nil: the right password in TOOLHIVE_SECRETS_PASSWORD
	setup func(t *testing.T, dir string) []string
	want  string // substring of the one error line; "" means the input is accepted
	// planAccepts: plan accepts the input (exit 0, nothing written) although
	// migrate refuses it (want); it concerns only what migrate writes. plan
	// then says "migrate would refuse: …" (it runs migrate's checks) unless
	// the refusal is transient.
	planAccepts bool
	// transient: migrate's refusal depends on the moment, not on the files
	// (a lock another process holds, a full disk), so plan cannot foresee it.
	transient bool
	noConfig  bool // run without --config
	notice    bool // a refusal is preceded by the lock-wait notice line
	// fs wraps the real filesystem the commands see (fault injection).
	fs func(fsys afero.Fs, dir string) afero.Fs
	// check runs after an accepted command, or after a refusal that is
	// documented to write (written); nil for accepted inputs means plan
	// and migrate must both succeed with the usual output.
	check func(t *testing.T, command, dir string, out string, before, after map[string]treeEntry)
	// writes: the refusal is documented to leave the store migrated (the
	// flag write failed after it); check asserts exactly what changed.
	writes bool
	// describe, when set, gives the table's message for an accepted
	// command from its stdout (instead of the summary line).
	describe func(out string) string
	// nothingChanged: the refusal comes when the command is about to write
	// (a planted temp or lock file, a held lock), so it must say "nothing
	// changed" like every other such refusal.
	nothingChanged bool
}

// modeString matches a file type printed as a mode string ("p---------",
// "Dc---------"): types are named in words ("a FIFO", "a device").
var modeString = regexp.MustCompile(`[A-Za-z?]{1,3}-{9}`)

// treeEntry is one entry of a real directory tree: mode, size, content
// hash, symlink target.
type treeEntry struct {
	Mode   fs.FileMode
	Size   int64
	SHA256 string
	Link   string
}

// tree snapshots every entry under dir without following symlinks; file
// contents are hashed, so a 32 MiB store costs no memory.
func tree(t *testing.T, dir string) map[string]treeEntry {
	t.Helper()
	out := map[string]treeEntry{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := treeEntry{Mode: info.Mode()}
		switch {
		case info.Mode().IsRegular():
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			h := sha256.New()
			_, err = io.Copy(h, f)
			_ = f.Close()
			if err != nil {
				return err
			}
			e.Size, e.SHA256 = info.Size(), hex.EncodeToString(h.Sum(nil))
		case info.Mode()&fs.ModeSymlink != 0:
			if e.Link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		rel, err := filepath.Rel(dir, p)
		out[rel] = e
		return err
	}))
	return out
}

// bytesWritten is the size of every file that is new or changed between
// two snapshots (0 when they are equal), plus one per other changed entry.
func bytesWritten(before, after map[string]treeEntry) int64 {
	var n int64
	for p, a := range after {
		if b, ok := before[p]; !ok || b != a {
			n += max(a.Size, 1)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			n++
		}
	}
	return n
}

// sealPlain writes an encrypted file whose plaintext is plain, under the
// fixture password.
func sealPlain(t *testing.T, path string, plain []byte) {
	t.Helper()
	key := encfile.KeyFromPassword([]byte(fixturePassword))
	block, err := aes.NewCipher(key[:])
	require.NoError(t, err)
	g, err := cipher.NewGCM(block)
	require.NoError(t, err)
	nonce := make([]byte, encfile.NonceSize)
	require.NoError(t, os.WriteFile(path, g.Seal(nonce, nonce, plain, nil), 0o600))
}

func rewrite(name string, f func(t *testing.T, b []byte) []byte) func(t *testing.T, dir string) []string {
	return func(t *testing.T, dir string) []string {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, f(t, b), 0o600))
		return nil
	}
}

func replaceWith(name string, f func(t *testing.T, dir, path string)) func(t *testing.T, dir string) []string {
	return func(t *testing.T, dir string) []string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.Remove(p))
		f(t, dir, p)
		return nil
	}
}

// linkTo moves the fixture file name to target (mode perm) and puts a
// relative symlink to it at name.
func linkTo(name, target string, perm os.FileMode) func(t *testing.T, dir string) []string {
	return func(t *testing.T, dir string) []string {
		require.NoError(t, os.Rename(filepath.Join(dir, name), filepath.Join(dir, target)))
		require.NoError(t, os.Chmod(filepath.Join(dir, target), perm))
		require.NoError(t, os.Symlink(target, filepath.Join(dir, name)))
		return nil
	}
}

// linkKept checks an accepted symlinked store or config: migrate rewrote
// the target and left the link a link to it; plan wrote nothing.
func linkKept(name, target string) func(t *testing.T, command, dir, out string, before, after map[string]treeEntry) {
	return func(t *testing.T, command, dir, out string, before, after map[string]treeEntry) {
		require.Equal(t, target, after[name].Link, "still a link to its target")
		if command == "migrate" {
			require.NotEqual(t, before[target], after[target], "the target was replaced")
			require.Contains(t, out, "migrated")
		}
	}
}

func passwordFile(content string, mode os.FileMode) func(t *testing.T, dir string) []string {
	return func(t *testing.T, dir string) []string {
		p := filepath.Join(dir, "password")
		require.NoError(t, os.WriteFile(p, []byte(content), mode))
		require.NoError(t, os.Chmod(p, mode))
		return []string{"--password-file", p}
	}
}

func hostileCases() []hostileCase {
	return append(append(inputCases(), machineCases()...), keyedFingerprintCases()...)
}

// emptyStoreCheck is what an empty store (0 bytes) gives: plan reports no
// legacy key and writes nothing; migrate leaves the store untouched and
// sets only the flag.
func emptyStoreCheck(t *testing.T, command, dir, out string, before, after map[string]treeEntry) {
	if command == "plan" {
		require.Contains(t, out, "no legacy keys")
		return
	}
	require.Equal(t, true, yamlMap(t, afero.NewOsFs(), filepath.Join(dir, "config.yaml"))["secret_scope_migration"], "an empty store migrates trivially: only the flag is set")
	require.Equal(t, before["secrets_encrypted"], after["secrets_encrypted"], "the empty store is not rewritten")
}

// inputCases are bad file contents, passwords and file kinds.
func inputCases() []hostileCase {
	const store, cfg = "secrets_encrypted", "config.yaml"
	return []hostileCase{
		{name: "store: one bit flipped", setup: rewrite(store, func(_ *testing.T, b []byte) []byte { b[len(b)/2] ^= 1; return b }), want: "wrong password or corrupt"},
		{name: "store: last byte (tag) flipped", setup: rewrite(store, func(_ *testing.T, b []byte) []byte { b[len(b)-1] ^= 0x80; return b }), want: "wrong password or corrupt"},
		{name: "store: truncated to half", setup: rewrite(store, func(_ *testing.T, b []byte) []byte { return b[:len(b)/2] }), want: "wrong password or corrupt"},
		{name: "store: truncated below nonce+tag (27 bytes)", setup: rewrite(store, func(_ *testing.T, b []byte) []byte { return b[:encfile.Overhead-1] }), want: "truncated"},
		{name: "store: random bytes", setup: rewrite(store, func(_ *testing.T, b []byte) []byte { return []byte(strings.Repeat("garbage!", 64)) }), want: "wrong password or corrupt"},
		{name: "store: authentic but not JSON", setup: func(t *testing.T, dir string) []string {
			sealPlain(t, filepath.Join(dir, store), []byte("not json"))
			return nil
		}, want: "not the expected JSON"},
		{name: "store: authentic JSON, secrets not strings", setup: func(t *testing.T, dir string) []string {
			sealPlain(t, filepath.Join(dir, store), []byte(`{"secrets":{"BEARER_TOKEN_x":42}}`))
			return nil
		}, want: "not the expected JSON"},
		{name: "store: plaintext > 32 MiB under the right password", setup: func(t *testing.T, dir string) []string {
			plain := make([]byte, 0, encfile.MaxPlaintext+64)
			plain = append(plain, `{"secrets":{"BEARER_TOKEN_big":"`...)
			plain = append(plain, strings.Repeat("A", encfile.MaxPlaintext)...)
			plain = append(plain, `"}}`...)
			sealPlain(t, filepath.Join(dir, store), plain)
			return nil
		}, want: "too large"},
		{name: "store: sparse file of 32 MiB + 29 bytes", setup: func(t *testing.T, dir string) []string {
			require.NoError(t, os.Truncate(filepath.Join(dir, store), encfile.MaxFileSize+1))
			return nil
		}, want: "too large"},
		{name: "store: empty file (0 bytes)", setup: rewrite(store, func(*testing.T, []byte) []byte { return nil }), want: "", check: emptyStoreCheck},
		{name: "store: a directory", setup: replaceWith(store, func(t *testing.T, _, p string) { require.NoError(t, os.Mkdir(p, 0o700)) }), want: "is a directory"},
		{name: "store: a symlink to the user's own store (a dotfile manager's layout)", setup: linkTo(store, "real", 0o600), want: "", check: linkKept(store, "real")},
		{name: "store: a symlink to a read-only store (0400, a package manager's file)", setup: linkTo(store, "real", 0o400), want: "the target is read-only (mode 0400)"},
		{name: "store: a dangling symlink", setup: replaceWith(store, func(t *testing.T, _, p string) { require.NoError(t, os.Symlink("nowhere", p)) }), want: "the target does not exist (a dangling link)"},
		{name: "store: missing", setup: replaceWith(store, func(*testing.T, string, string) {}), want: "no secrets file"},
		{name: "password: wrong", env: map[string]string{PasswordEnvVar: "Tr0ub4dor&3"}, want: "wrong password or corrupt"},
		{name: "password: unset", env: map[string]string{}, want: "no password"},
		{name: "password file: group-readable (0640)", setup: passwordFile(fixturePassword, 0o640), env: map[string]string{}, want: "chmod 600"},
		{name: "password file: world-readable (0604)", setup: passwordFile(fixturePassword, 0o604), env: map[string]string{}, want: "chmod 600"},
		{name: "password file: empty", setup: passwordFile("\n", 0o600), env: map[string]string{}, want: "is empty"},
		{name: "password file: 1 MiB", setup: passwordFile(strings.Repeat("p", 1<<20), 0o600), env: map[string]string{}, want: "too large"},
		{name: "password file: missing", setup: func(_ *testing.T, dir string) []string {
			return []string{"--password-file", filepath.Join(dir, "nope")}
		}, env: map[string]string{}, want: "no such file"},
		{name: "config: garbage", setup: rewrite(cfg, func(*testing.T, []byte) []byte { return []byte("{{{ not: yaml: [") }), want: "invalid config"},
		{name: "config: top level is a list", setup: rewrite(cfg, func(*testing.T, []byte) []byte { return []byte("- a\n- b\n") }), want: "not a mapping"},
		{name: "config: flag is not a bool", setup: rewrite(cfg, func(_ *testing.T, b []byte) []byte { return append(b, "secret_scope_migration: maybe\n"...) }), want: "not a boolean"},
		{name: "config: flag is a list", setup: rewrite(cfg, func(_ *testing.T, b []byte) []byte { return append(b, "secret_scope_migration: [true]\n"...) }), want: "not a boolean"},
		{name: "config: flag defined twice", setup: rewrite(cfg, func(_ *testing.T, b []byte) []byte {
			return append(b, "secret_scope_migration: false\nsecret_scope_migration: true\n"...)
		}), want: "defined twice"},
		{name: "config: a second YAML document", setup: rewrite(cfg, func(_ *testing.T, b []byte) []byte { return append(b, "---\nkept_by_hand: 1\n"...) }), want: "more than one YAML document"},
		{name: "config: a directory", setup: replaceWith(cfg, func(t *testing.T, _, p string) { require.NoError(t, os.Mkdir(p, 0o700)) }), want: "not a regular file"},
		{name: "config: a symlink to the user's own config (a dotfile manager's layout)", setup: linkTo(cfg, "real.yaml", 0o600), want: "", check: linkKept(cfg, "real.yaml")},
		{name: "config: a symlink to a read-only config (0444, a Nix store file)", setup: linkTo(cfg, "real.yaml", 0o444), want: "the target is read-only (mode 0444)"},
		{name: "config: larger than 16 MiB", setup: func(t *testing.T, dir string) []string {
			require.NoError(t, os.Truncate(filepath.Join(dir, cfg), 16<<20+1))
			return nil
		}, want: "larger than"},
	}
}

// hostileRow is one line of the generated table.
type hostileRow struct {
	input, command, message string
	exit                    int
	written                 int64
}

// TestHostileInputs runs every bad input through the real plan and migrate
// commands on a real temporary directory: exit 1, one clear line on
// stderr, nothing on stdout, no secret value or password in the output,
// and the directory byte-for-byte unchanged. The one accepted input (an
// empty store, which ToolHive itself creates) is checked for what it does.
// The results are the table of docs/security.md: written with
// SCOPEMIG_WRITE_SECURITY_DOC=1, otherwise checked against it.
func TestHostileInputs(t *testing.T) {
	var rows []hostileRow
	for _, tc := range hostileCases() {
		for _, command := range []string{"plan", "migrate"} {
			t.Run(tc.name+"/"+command, func(t *testing.T) {
				osfs := afero.NewOsFs()
				dir := install(t, osfs, t.TempDir())
				var extra []string
				if tc.setup != nil {
					extra = tc.setup(t, dir)
				}
				vars := tc.env
				if vars == nil {
					vars = pwEnv()
				}
				args := []string{"--secrets-file", filepath.Join(dir, "secrets_encrypted")}
				if !tc.noConfig {
					args = append(args, "--config", filepath.Join(dir, "config.yaml"))
				}
				args = append(args, extra...)
				newCmd := newPlanCmdEnv
				if command == "migrate" {
					newCmd = newMigrateCmdEnv
				}
				fsys := osfs
				if tc.fs != nil {
					fsys = tc.fs(osfs, dir)
				}
				before := tree(t, dir)
				out, errOut, code := runAll(t, newCmd, testEnv(fsys, vars), args...)
				after := tree(t, dir)
				written := bytesWritten(before, after)
				for _, s := range []string{out, errOut} {
					require.NotContains(t, s, fixturePassword, "the password is never echoed")
					assertNoValues(t, s)
					require.NotRegexp(t, modeString, s, "file types in words, not mode strings")
				}
				msg := strings.TrimSuffix(strings.ReplaceAll(errOut, dir, "$DIR"), "\n")
				rows = append(rows, hostileRow{input: tc.name, command: command, exit: code, message: msg, written: written})
				if tc.want == "" || (command == "plan" && tc.planAccepts) {
					require.Equal(t, 0, code, errOut)
					require.Empty(t, errOut)
					if command == "plan" {
						require.Zero(t, written, "plan never writes")
					}
					if tc.check != nil {
						tc.check(t, command, dir, out, before, after)
					}
					if command == "plan" && tc.planAccepts && !tc.transient {
						require.Contains(t, out, "migrate would refuse: ", "plan runs migrate's checks")
					}
					rows[len(rows)-1].message = "(accepted: exit 0) " + strings.ReplaceAll(lastLine(out), dir, "$DIR")
					if tc.describe != nil {
						rows[len(rows)-1].message = "(accepted: exit 0) " + tc.describe(out)
					}
					return
				}
				require.Equal(t, 1, code)
				lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
				if tc.notice {
					require.Len(t, lines, 2, "the wait notice, then the error: %q", errOut)
					require.True(t, strings.HasPrefix(lines[0], "scopemig: waiting for the "), lines[0])
					require.Contains(t, lines[0], "(held by another process")
					rows[len(rows)-1].message = strings.ReplaceAll(msg, "\n", "` then `")
				} else {
					require.Len(t, lines, 1, "one line: %q", errOut)
				}
				require.True(t, strings.HasPrefix(lines[len(lines)-1], "scopemig: "), errOut)
				require.Contains(t, lines[len(lines)-1], tc.want)
				if tc.nothingChanged {
					require.Contains(t, lines[len(lines)-1], "nothing changed")
				}
				if tc.writes {
					tc.check(t, command, dir, out, before, after)
					return
				}
				require.Empty(t, out)
				require.Equal(t, before, after, "not one byte written")
				require.Zero(t, written)
			})
		}
	}
	if t.Failed() || len(rows) != 2*len(hostileCases()) { // failed, or a -run filter picked some cases
		return
	}
	doc := renderSecurityDoc(rows, scopeIsolationSection(t))
	if os.Getenv(writeSecurityDocEnv) != "" {
		require.NoError(t, os.WriteFile(securityDoc, []byte(doc), 0o644))
		return
	}
	committed, err := os.ReadFile(securityDoc)
	require.NoError(t, err, "generate it with %s=1 go test ./cmd/scopemig -run TestHostileInputs", writeSecurityDocEnv)
	require.Equal(t, doc, string(committed), "docs/security.md is stale: regenerate it with %s=1 go test ./cmd/scopemig -run TestHostileInputs", writeSecurityDocEnv)
}

// lastLine is the last non-empty line of s (a command's summary).
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(strings.Fields(lines[len(lines)-1]), " ")
}

// renderSecurityDoc returns docs/security.md with the table of rows.
func renderSecurityDoc(rows []hostileRow, extra string) string {
	var b strings.Builder
	b.WriteString(securityDocHead)
	b.WriteString("| # | bad input | command | exit | message shown (stderr) | bytes written |\n|---|---|---|---|---|---|\n")
	for i, r := range rows {
		code := "`" + r.message + "`"
		if strings.Contains(r.message, "`") {
			code = "`` " + r.message + " ``"
		}
		fmt.Fprintf(&b, "| %d | %s | `%s` | %d | %s | %d |\n", i+1, r.input, r.command, r.exit, strings.ReplaceAll(code, "|", `\|`), r.written)
	}
	b.WriteString(extra)
	b.WriteString(securityDocTail)
	return b.String()
}

const securityDocHead = `# Security: hostile input and secret hygiene

scopemig handles the one file that holds every secret of a ToolHive user.
This page lists what it does with bad input, how it keeps values out of
every output, and how that is tested. **The table below is generated** by
` + "`TestHostileInputs`" + ` (cmd/scopemig/hostile_test.go); ` + "`go test`" + ` fails when it
is stale. Regenerate it with
` + "`SCOPEMIG_WRITE_SECURITY_DOC=1 go test ./cmd/scopemig -run TestHostileInputs`" + `.

## Bad inputs and hostile machines: exit 1 and zero bytes written, or the documented behaviour

Every input runs through the real ` + "`plan`" + ` and ` + "`migrate`" + ` commands (in process,
on a real temporary directory holding a copy of the ToolHive v0.47.0
fixture, password from ` + "`TOOLHIVE_SECRETS_PASSWORD`" + ` unless the row says
otherwise). The test snapshots the whole directory (mode, size, SHA-256 of
every entry, symlink targets) before and after: "bytes written" is the size
of every entry that changed or appeared, and every rejected input must show
0. It also checks the output is one line on stderr (two for a held lock: the
wait notice, then the error), nothing on stdout, and neither the password
nor any secret value of the store appears. ` + "`$DIR`" + ` stands for the temporary
directory. The rows from "store temp name" on are the hazards
of a real machine: entries planted at the names scopemig writes, other owners, a
copy of a store, held locks and a full disk.

Why nothing can be written: both commands validate everything first — the
password (file permissions, then decryption: AES-GCM authenticates the whole
file), the store (a regular file, or a symlink safe to follow to one, at most 32 MiB + 28 bytes,
authentic, the expected JSON), the config (a regular file of at most 16 MiB,
one YAML document, a mapping whose ` + "`secret_scope_migration`" + ` is absent or a boolean) — then
` + "`migrate`" + ` runs a preflight that reads only: the store, the config, their temp
names and their lock files (` + "`secrets_encrypted.lock`" + `, ` + "`config.yaml.lock`" + `) must
be absent or regular files, their owners must be kept, and their directories
writable by the effective user (` + "`access(2)`" + `). Only then does ` + "`migrate`" + ` write, as
one atomic replace of the store followed by the flag. The directory lock is
` + "`flock(2)`" + ` on an existing directory descriptor, which creates no file; the
lock files ToolHive also uses are created (empty) only after the preflight.

How the names scopemig writes are protected (the "temp name" and "lock file" rows):

- Temp files are created with ` + "`O_CREAT|O_EXCL|O_NOFOLLOW`" + `: a planted file, symlink,
  hard link or FIFO at ` + "`.secrets_encrypted.scopemig-tmp`" + ` or ` + "`.config.yaml.scopemig-tmp`" + `
  is never opened, followed or written through. A regular file with one link
  (what a crashed run leaves) is removed and the create retried; anything
  else there is refused and left alone, with a message saying what it is.
  Before the rename the temp file must still be the file written (same
  inode) and the target must not have become a symlink, so neither the store
  nor the config can become a symlink.
- Lock files are opened with ` + "`O_NOFOLLOW|O_NONBLOCK`" + ` after an ` + "`lstat`" + `: a symlink
  (even a dangling one, which ` + "`O_CREAT`" + ` would have created), a FIFO or a
  directory at ` + "`secrets_encrypted.lock`" + ` or ` + "`config.yaml.lock`" + ` is refused.
- ` + "`plan`" + ` never writes and accepts these rows; a planted store temp name is
  reported as ` + "`foreign file: …; migrate refuses to run until it is removed`" + `
  (JSON ` + "`foreign_temp_files`" + `), not as the leftover of a crashed run.

Owners (the "owned by another user" rows): run as root (` + "`sudo scopemig migrate`" + ` on a user's store), the
replaced store and config keep their uid and gid (the temp file is chowned
before the rename); the store gets mode 0600 and the config keeps its own
mode (a 0644 config stays 0644); a lock file or directory root creates gets
the owner of the directory it is created in. The table checks every entry of
the directory belongs to uid 4242 afterwards (the bytes written are the
migrated store, the config with the flag, and the new lock file). A user who
is not root and does not own the store or config (or cannot give back its
group) is refused before any write (` + "`replacing the file would change its owner`" + `);
root may write any directory, so that case, "the config's directory is not
writable by the user" (the issue's case) and "the store's directory belongs
to another user" run as uid 65534 in a child process:
` + "`TestMigrateRefusesOwnerChange`" + `, ` + "`TestMigrateConfigDirNotWritable`" + ` and
` + "`TestMigrateStoreDirNotWritable`" + ` (cmd/scopemig/asuser_test.go), each exit 1 with
zero bytes written. Run as root, a root-owned lock file left in a user's
directory (by an older ` + "`sudo`" + ` run) is given back to the directory's owner.

Symlinks (the "a symlink to…" rows): dotfile managers (GNU stow, yadm,
chezmoi's symlink mode, home-manager) make ` + "`~/.config/toolhive/config.yaml`" + ` a
symlink into a dotfiles directory, and the store may be one too. scopemig
follows such a link when it is safe to replace the file it leads to, and
otherwise refuses with one line naming the link, its target and why, before
any write. Safe means (` + "`atomicfile.Resolve`" + `):

- every link of the chain and the target belong to the user running
  scopemig (run as root: all to one same user, the first link's owner, so
  ` + "`sudo`" + ` never follows a user's link to a file that is not that user's);
- no directory holding a link or the target is writable by others (mode
  o+w, sticky like /tmp or not): someone else could swap the entry;
- the chain ends at an existing regular file (a dangling link is refused,
  not created through), which has its owner write bit (a read-only target,
  such as a home-manager link into /nix/store, is refused: change it where
  it is managed);
- the target's directory is writable by the user: the target is replaced
  atomically in its own directory (temp file, fsync, rename, directory
  fsync), never written in place, so a read-only directory is refused;
- at most 8 links in a chain, each hop checked; a relative link target is
  resolved from the directory holding the link, as the kernel does (a ".."
  from that directory's real path when a directory link leads to it).

The link stays a link: the replace renames over the target, not over the
link. ToolHive's lock files stay where ToolHive takes them, next to the path
it uses: ` + "`~/.config/toolhive/config.yaml.lock`" + ` (UpdateConfigAtPath) and
` + "`secrets_encrypted.lock`" + ` next to the store's link (EncryptedManager), so the two
writers still exclude each other; nothing is created in the dotfiles
directory but the temp file of the replace. A directory that is itself a
link (stow's "folding") needs nothing special: the file in it is a regular
file. Tested on real directories (` + "`cmd/scopemig/symlink_test.go`" + `: the
dotfile layout, every refusal for plan, migrate and legacy list with not one
byte changed, an unprivileged user's link owned by root and a dotfiles
directory the user cannot write), on the simulated disk under every crash
(` + "`TestCrashSweepThroughLinks`" + `), and with ToolHive's own ` + "`UpdateConfigAtPath`" + `
racing through the link (` + "`interop/symlink_test.go`" + `). ToolHive v0.47.0 itself
writes the config through the link in place, and replaces a symlinked
store by a regular file (its atomic write renames over the link), see
docs/toolhive-differences.md.

The last rows:

- ` + "`--secrets-file`" + ` naming a store other than the default one needs ` + "`--config`" + ` (or
  ` + "`--no-flag`" + ` for a data-only run), so that a copy's flag never lands in the
  user's real config; ` + "`plan`" + ` writes nothing and accepts it.
- A lock held by another process (a ToolHive process holding
  ` + "`secrets_encrypted.lock`" + `, which only ` + "`migrate`" + ` takes; another scopemig holding the
  directory lock, which both take) is announced on stderr after about a
  second and given up after ` + "`--lock-timeout`" + ` (default 60s; 1.2s in the table).
  The holder is a real child process.
- A full disk when the flag is written (simulated: ` + "`faults.FS`" + ` over the real
  directory fails every write to the config's temp file with ENOSPC; a real
  full disk is not available to the tests) cannot be foreseen by the
  preflight. The store is then migrated and the config untouched, and the
  command says exactly that: exit 1,
  ` + "`store migrated, flag not set, re-running is safe`" + `, the report on stdout (` + "`--json`" + `: status ` + "`store-migrated-flag-not-set`" + `,
  ` + "`flag_set: false`" + `), no temp file left. This is the one refusal that writes
  (the migrated store, its size in the table); re-running sets the flag.

Notes on the other rows:

- **An empty store file is valid**, not an error: ToolHive creates a
  zero-length file when it opens a missing store, and reads it as an empty
  store. ` + "`plan`" + ` reports no legacy keys and writes nothing; ` + "`migrate`" + ` has nothing
  to move, leaves the store untouched and sets the flag in the config (the
  only bytes written, shown in the table).
- AES-GCM cannot tell a wrong password from a damaged file, so both get the
  same message.
- A plaintext over 32 MiB makes the file larger than ToolHive's limit, so it
  is refused by size before any decryption: the same message as a large
  file of any content.

`

const securityDocTail = `
## Secret hygiene (I8)

- Values never appear in errors, logs, reports, JSON or test output: only
  fingerprints. For a real store (` + "`plan`" + `, ` + "`migrate`" + `, ` + "`legacy`" + `) they are keyed:
  ` + "`hmac:`" + ` and 12 hex digits of HMAC-SHA-256 under a key derived from the
  store's own secret: HKDF-SHA-256 of the key ToolHive derives from the password
  (SHA-256 of it), with a fixed context string (` + "`fingerprintInfo`" + `
  in impl/encfile; ` + "`encfile.NewFingerprinter`" + `). The key is computed in memory by every command and
  never written anywhere. So every command on the same store prints the same
  fingerprint for the same value, in every run (` + "`legacy list`" + ` today matches what
  ` + "`migrate`" + ` reported yesterday), while a fingerprint cannot be checked against a
  guessed value without the password (the last row of the table above): a reader
  of the output who can decrypt nothing learns nothing from it. Someone who has the
  password can decrypt the store itself, so the fingerprint reveals nothing more
  to them. Two stores under the same password share fingerprints; a store under
  another password gets others. ` + "`TestFingerprintsSameInEveryCommand`" + `
  (cmd/scopemig/legacy_original_test.go) checks all three properties on a real
  directory (plan, migrate and two ` + "`legacy list`" + ` runs agree; another password
  differs; no unkeyed SHA-256 prefix of a value appears). The harness's synthetic values use
  the stable ` + "`secrets.Fingerprint(v)`" + ` (a short SHA-256 prefix). ` + "`TestOutputHygiene`" + `
  (cmd/scopemig/hygiene_test.go) runs ` + "`verify`" + ` (with a mutant, so violation and
  counterexample output is produced), ` + "`plan`" + ` and ` + "`migrate`" + ` (human and ` + "`--json`" + `),
  and ` + "`soak`" + ` when it exists, captures stdout and stderr, and scans them for
  every value it planted and for the password.
- The harness checks I8 on every crash image it produces: no value in
  plaintext in any file, store files 0600 and their directories 0700.
- ` + "`--password-file`" + ` must not be accessible by group or others (mode & 077 ==
  0); otherwise the command refuses with ` + "`password file is accessible by group or\nothers: <path> has mode 0640; run: chmod 600 <path>`" + ` (see the table). The
  password is never echoed or logged; the tests assert it is absent from all
  output.

## Scheme validation at construction

` + "`Scheme.Validate`" + ` runs in every constructor that takes a scheme
(` + "`secrets.NewScopedProvider`" + `, ` + "`migrate.Discover`" + `, ` + "`migrate.Apply`" + `) and refuses, with
an error wrapping ` + "`secrets.ErrInvalidScheme`" + `: an empty system prefix or one not
ending in ` + "`_`" + `; a scope that is empty or not ` + "`[a-z0-9]+`" + `; a scope declared twice or
equal to the quarantine scope; an empty legacy prefix; a legacy prefix that
starts with the system prefix or is a prefix of it; a legacy prefix mapped
to an undeclared scope or to the quarantine scope; and overlapping legacy
prefixes (one a prefix of another, duplicates included). Each rule has a
case in ` + "`TestSchemeValidate`" + ` (impl/secrets/scheme_test.go).

## Fuzzing

| package | target | property |
|---|---|---|
| impl/encfile | ` + "`FuzzDecode`" + ` | arbitrary file bytes: never panics, fails only with ErrTruncated/ErrTooLarge/ErrDecrypt/ErrCorrupt, anything accepted re-encodes and decodes to the same map |
| impl/encfile | ` + "`FuzzDecodePlaintext`" + ` | arbitrary plaintext sealed with the right key (reaches the JSON layer): same contract, authentic data fails only with ErrCorrupt; unknown top-level members survive a re-encoding verbatim and in place, and a file without them re-encodes byte for byte as ToolHive writes it |
| impl/encfile | ` + "`FuzzOnlySecrets`" + ` | the allocation-free check that a document holds nothing but its secrets (the fast path of every decode) never claims so for a document with another top-level member |
| impl/secrets | ` + "`FuzzParseKey`" + ` | ParseKey/ScopedKey round trip; a legacy key is never a system key, its target parses back to (scope, key) in a declared non-quarantine scope and is never legacy itself |
| impl/secrets | ` + "`FuzzQuarantineKey`" + ` | QuarantineKey and ParseQuarantineKey are inverse bijections between (key, slot) and the quarantine keys, whatever characters the key holds (a ` + "`#`" + ` in a key is doubled, so slot 2 of ` + "`K`" + ` and slot 1 of ` + "`K#2`" + ` differ) |
| impl/secrets | ` + "`FuzzScopedKey`" + ` | ScopedKey then ParseKey gives back (scope, name) for every valid scope; quarantine slots parse into the quarantine scope and never equal a migration target |
| impl/config | ` + "`FuzzSetMigrated`" + ` | SetMigrated on arbitrary YAML either fails with ErrInvalidConfig and leaves the directory byte-for-byte unchanged, or the flag reads true, every other top-level field keeps its value, the mode stays 0600, and a second call writes nothing |
| impl/dirstore | ` + "`FuzzFileName`" + ` | the per-secret file name encoding is injective and every name stays a plain file name inside the store directory |
| faults | ` + "`FuzzParseSchedule`" + ` | whatever fault schedule parses prints as a schedule that parses back to an equal injector, printed the same; everything else fails with ErrSyntax |

Seed corpora are in ` + "`<package>/testdata/fuzz/<Target>/`" + ` (where ` + "`go test`" + ` reads
them), next to the seeds added in code with ` + "`f.Add`" + `. ` + "`make test`" + ` runs only the seeds;
` + "`make fuzz`" + ` runs each target for ` + "`FUZZTIME`" + ` (default 30s) one after the other
(` + "`make fuzz FUZZTIME=10s`" + `). A failing input the fuzzer finds is written to the
seed corpus: commit it as a regression seed.

Found by ` + "`FuzzSetMigrated`" + ` and fixed: yaml.v3's encoder writes an empty (implicit)
null as ` + "`''`" + ` inside a flow collection (` + "`{a}`" + `), as a mapping key or when it carries
an anchor, which would have turned such a null into an empty string. ` + "`impl/config`" + `
now writes those nulls as ` + "`null`" + `; the two inputs stay in the corpus as regression seeds.
`
