//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/atomicfile"
)

// dotHome lays out a real home directory the way a dotfile manager does:
// ~/.config/toolhive/config.yaml and ~/.local/share/toolhive/secrets_encrypted
// are relative symlinks to files in ~/dotfiles (GNU stow's layout). It
// returns the home, the env migrate runs in, the two link paths and their
// targets.
type dotLayout struct {
	home, cfgLink, storeLink, cfgTarget, storeTarget string
	env                                              cliEnv
}

func dotHome(t *testing.T) dotLayout {
	t.Helper()
	home := t.TempDir()
	osfs := afero.NewOsFs()
	dot := install(t, osfs, filepath.Join(home, "dotfiles"))
	l := dotLayout{
		home:        home,
		cfgLink:     filepath.Join(home, ".config/toolhive/config.yaml"),
		storeLink:   filepath.Join(home, ".local/share/toolhive/secrets_encrypted"),
		cfgTarget:   filepath.Join(dot, "toolhive-config.yaml"),
		storeTarget: filepath.Join(dot, "secrets_encrypted"),
	}
	require.NoError(t, os.Rename(filepath.Join(dot, "config.yaml"), l.cfgTarget))
	require.NoError(t, os.MkdirAll(filepath.Dir(l.cfgLink), 0o700))
	require.NoError(t, os.MkdirAll(filepath.Dir(l.storeLink), 0o700))
	require.NoError(t, os.Symlink("../../dotfiles/toolhive-config.yaml", l.cfgLink))
	require.NoError(t, os.Symlink("../../../dotfiles/secrets_encrypted", l.storeLink))
	l.env = testEnv(osfs, map[string]string{PasswordEnvVar: fixturePassword, "XDG_CONFIG_HOME": filepath.Join(home, ".config"), "XDG_DATA_HOME": filepath.Join(home, ".local/share")})
	return l
}

// The case: config and store are symlinks into ~/dotfiles. migrate
// follows them, replaces the targets, keeps the links, and takes ToolHive's
// locks next to the links (where UpdateConfigAtPath and EncryptedManager
// take them), none in ~/dotfiles.
func TestMigrateThroughDotfileLinks(t *testing.T) {
	l := dotHome(t)
	cfgBefore := yamlMap(t, afero.NewOsFs(), l.cfgTarget)
	_, errOut, code := run(t, newPlanCmdEnv, l.env)
	require.Equal(t, 0, code, errOut)
	out, errOut, code := run(t, newMigrateCmdEnv, l.env)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "migrated")

	for link, want := range map[string]string{l.cfgLink: "../../dotfiles/toolhive-config.yaml", l.storeLink: "../../../dotfiles/secrets_encrypted"} {
		got, err := os.Readlink(link)
		require.NoError(t, err, "still a link")
		require.Equal(t, want, got)
	}
	cfg := yamlMap(t, afero.NewOsFs(), l.cfgTarget)
	require.Equal(t, true, cfg["secret_scope_migration"])
	delete(cfg, "secret_scope_migration")
	require.Equal(t, cfgBefore, cfg, "every other field kept")
	for k := range decrypt(t, afero.NewOsFs(), l.storeTarget) {
		require.False(t, strings.HasPrefix(k, "BEARER_TOKEN_"), "migrated: %s", k)
	}
	for _, lock := range []string{l.cfgLink + ".lock", l.storeLink + ".lock"} {
		fi, err := os.Lstat(lock)
		require.NoError(t, err, "ToolHive's lock next to the link")
		require.True(t, fi.Mode().IsRegular())
	}
	for p, e := range tree(t, filepath.Join(l.home, "dotfiles")) {
		require.False(t, strings.HasSuffix(p, ".lock"), "no lock file in dotfiles: %s", p)
		require.False(t, atomicfile.IsTemp(p), "no temp file left: %s", p)
		_ = e
	}

	// A second run: already done, nothing written.
	before := tree(t, l.home)
	out, errOut, code = run(t, newMigrateCmdEnv, l.env)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "already done")
	require.Equal(t, before, tree(t, l.home))
}

// A link not safe to follow is refused by plan, migrate and legacy list
// with one line naming the link, its target and why, and not one byte,
// mode or entry changes.
func TestUnsafeLinksRefused(t *testing.T) {
	type tc struct {
		name  string
		setup func(t *testing.T, l dotLayout) (link, target string)
		why   string
		root  bool // needs root (chown to another uid)
	}
	cases := []tc{
		{"dangling config link", func(t *testing.T, l dotLayout) (string, string) {
			require.NoError(t, os.Remove(l.cfgTarget))
			return l.cfgLink, l.cfgTarget
		}, "dangling link", false},
		{"dangling store link", func(t *testing.T, l dotLayout) (string, string) {
			require.NoError(t, os.Remove(l.storeTarget))
			return l.storeLink, l.storeTarget
		}, "dangling link", false},
		{"read-only config target (Nix store)", func(t *testing.T, l dotLayout) (string, string) {
			require.NoError(t, os.Chmod(l.cfgTarget, 0o444))
			return l.cfgLink, l.cfgTarget
		}, "read-only (mode 0444)", false},
		{"read-only store target", func(t *testing.T, l dotLayout) (string, string) {
			require.NoError(t, os.Chmod(l.storeTarget, 0o400))
			return l.storeLink, l.storeTarget
		}, "read-only (mode 0400)", false},
		{"config link in a sticky world-writable directory", func(t *testing.T, l dotLayout) (string, string) {
			require.NoError(t, os.Chmod(filepath.Dir(l.cfgLink), 0o777|os.ModeSticky))
			return l.cfgLink, l.cfgTarget
		}, "writable by everyone (sticky, like /tmp)", false},
		{"store link in a world-writable directory", func(t *testing.T, l dotLayout) (string, string) {
			require.NoError(t, os.Chmod(filepath.Dir(l.storeLink), 0o777))
			return l.storeLink, l.storeTarget
		}, "writable by everyone;", false},
		{"config link of another user", func(t *testing.T, l dotLayout) (string, string) {
			require.NoError(t, os.Lchown(l.cfgLink, 4242, 4242))
			return l.cfgLink, l.cfgTarget
		}, "belongs to uid 0, not to uid 4242", true},
		{"a home-manager chain: through another user's links to a read-only file", func(t *testing.T, l dotLayout) (string, string) {
			store := filepath.Join(l.home, "nix", "store")
			require.NoError(t, os.MkdirAll(store, 0o755))
			final := filepath.Join(store, "abc-toolhive-config.yaml")
			require.NoError(t, os.Rename(l.cfgTarget, final))
			require.NoError(t, os.Chmod(final, 0o444))
			hop := filepath.Join(store, "def-home-manager-files-config.yaml")
			require.NoError(t, os.Symlink(final, hop))
			require.NoError(t, os.Lchown(hop, 4242, 4242))
			require.NoError(t, os.Remove(l.cfgLink))
			require.NoError(t, os.Symlink(hop, l.cfgLink))
			return l.cfgLink, final
		}, "the target is read-only (mode 0444)", true},
		{"a chain through another user's link", func(t *testing.T, l dotLayout) (string, string) {
			hop := filepath.Join(l.home, "hop.yaml")
			require.NoError(t, os.Symlink(l.cfgTarget, hop))
			require.NoError(t, os.Lchown(hop, 4242, 4242))
			require.NoError(t, os.Remove(l.cfgLink))
			require.NoError(t, os.Symlink(hop, l.cfgLink))
			return l.cfgLink, l.cfgTarget
		}, "hop.yaml belongs to uid 4242, not to uid 0", true},
		{"store target of another user", func(t *testing.T, l dotLayout) (string, string) {
			require.NoError(t, os.Chown(l.storeTarget, 4242, 4242))
			return l.storeLink, l.storeTarget
		}, "belongs to uid 4242, not to uid 0", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.root && os.Geteuid() != 0 {
				t.Skip("needs root to chown to another uid (CI runs as root)")
			}
			l := dotHome(t)
			link, target := c.setup(t, l)
			before := tree(t, l.home)
			cmds := []struct {
				name string
				run  func() (string, string, int)
			}{
				{"migrate", func() (string, string, int) { return run(t, newMigrateCmdEnv, l.env) }},
				{"plan", func() (string, string, int) { return run(t, newPlanCmdEnv, l.env) }},
			}
			if link == l.storeLink {
				cmds = append(cmds, struct {
					name string
					run  func() (string, string, int)
				}{"legacy list", func() (string, string, int) { return run(t, newLegacyCmdEnv, l.env, "list") }})
			}
			for _, cmd := range cmds {
				_, errOut, code := cmd.run()
				require.Equal(t, 1, code, "%s: %s", cmd.name, errOut)
				require.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %s", errOut)
				require.Contains(t, errOut, link+" is a symlink to "+target+", which scopemig will not follow", cmd.name)
				require.Contains(t, errOut, c.why, cmd.name)
				require.True(t, strings.HasSuffix(errOut, "nothing changed\n"), "%s: %s", cmd.name, errOut)
				require.Equal(t, before, tree(t, l.home), "%s: not one byte, mode or entry changed", cmd.name)
			}
		})
	}
}

// Run as an unprivileged user (nobody): a config link whose target's
// directory the user cannot write is refused before any write (a temp file
// next to the target is how the replace works), and a link root owns is
// not followed by that user; with both fixed, the same user migrates
// through the links.
func TestLinksAsUser(t *testing.T) {
	base, runAs := asUser(t)
	home := filepath.Join(base, "home")
	require.NoError(t, os.Mkdir(home, 0o755))
	dot := install(t, afero.NewOsFs(), filepath.Join(home, "dotfiles"))
	cfgLink := filepath.Join(home, "cfg", "config.yaml")
	storeLink := filepath.Join(home, "data", "secrets_encrypted")
	require.NoError(t, os.Mkdir(filepath.Dir(cfgLink), 0o700))
	require.NoError(t, os.Mkdir(filepath.Dir(storeLink), 0o700))
	require.NoError(t, os.Symlink("../dotfiles/config.yaml", cfgLink))
	require.NoError(t, os.Symlink("../dotfiles/secrets_encrypted", storeLink))
	for _, p := range []string{home, dot, filepath.Join(dot, "config.yaml"), filepath.Join(dot, "secrets_encrypted"), filepath.Dir(cfgLink), filepath.Dir(storeLink)} {
		require.NoError(t, os.Chown(p, nobody, nobody))
	}
	require.NoError(t, os.Lchown(storeLink, nobody, nobody))
	args := []string{"migrate", "--secrets-file", storeLink, "--config", cfgLink}

	// The config link is root's (as created): not followed by nobody.
	before := tree(t, base)
	errOut, code := runAs(args...)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, errOut, cfgLink+" is a symlink to "+filepath.Join(dot, "config.yaml")+", which scopemig will not follow")
	require.Contains(t, errOut, fmt.Sprintf("belongs to uid 0, not to uid %d", nobody))
	require.Equal(t, before, tree(t, base), "not one byte written")

	// The user's own link, but the dotfiles directory is root's 0755.
	require.NoError(t, os.Lchown(cfgLink, nobody, nobody))
	require.NoError(t, os.Chown(dot, 0, 0))
	require.NoError(t, os.Chmod(dot, 0o755))
	before = tree(t, base)
	errOut, code = runAs(args...)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, errOut, "is not writable by this process (scopemig replaces the file through a temp file next to it)")
	require.True(t, strings.HasSuffix(errOut, "nothing changed\n"), errOut)
	require.Equal(t, before, tree(t, base), "not one byte written")

	require.NoError(t, os.Chown(dot, nobody, nobody))
	errOut, code = runAs(args...)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, true, yamlMap(t, afero.NewOsFs(), filepath.Join(dot, "config.yaml"))["secret_scope_migration"])
	for _, link := range []string{cfgLink, storeLink} {
		fi, err := os.Lstat(link)
		require.NoError(t, err)
		require.NotZero(t, fi.Mode()&os.ModeSymlink, "%s is still a link", link)
	}
}
