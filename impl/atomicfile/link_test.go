package atomicfile_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/atomicfile"
)

// dotfiles is a simulated home with a stow-like layout: the config a
// symlink (relative target) to a file in ~/dotfiles.
func dotfiles(t *testing.T) *faults.MemFS {
	t.Helper()
	m := faults.NewMemFS()
	require.NoError(t, m.MkdirAll("/home/u/.config/toolhive", 0o700))
	require.NoError(t, m.MkdirAll("/home/u/dotfiles", 0o700))
	f, err := m.OpenFile("/home/u/dotfiles/toolhive-config.yaml", os.O_WRONLY|os.O_CREATE, 0o600)
	require.NoError(t, err)
	_, err = f.Write([]byte("a: 1\n"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.NoError(t, m.SymlinkIfPossible("../../dotfiles/toolhive-config.yaml", "/home/u/.config/toolhive/config.yaml"))
	return m
}

const cfgLink = "/home/u/.config/toolhive/config.yaml"

func reasonOf(t *testing.T, err error) atomicfile.LinkReason {
	t.Helper()
	require.ErrorIs(t, err, atomicfile.ErrUnsafeLink)
	var ue *atomicfile.UnsafeLinkError
	require.True(t, errors.As(err, &ue))
	require.Equal(t, cfgLink, ue.Link, "names the link")
	require.Contains(t, err.Error(), ue.Target, "names the target")
	require.Contains(t, err.Error(), "nothing changed")
	return ue.Reason
}

func TestResolveFollowsOwnLink(t *testing.T) {
	m := dotfiles(t)
	r, err := atomicfile.Resolve(m, cfgLink)
	require.NoError(t, err)
	require.Equal(t, int64(5), r.Info.Size(), "the target's Lstat")
	r.Info = nil
	require.Equal(t, atomicfile.Resolved{Path: cfgLink, Target: "/home/u/dotfiles/toolhive-config.yaml", Links: []string{cfgLink}}, r)

	// Not a link, or missing: itself.
	for _, p := range []string{"/home/u/dotfiles/toolhive-config.yaml", "/home/u/.config/toolhive/missing"} {
		r, err = atomicfile.Resolve(m, p)
		require.NoError(t, err)
		require.Equal(t, p == "/home/u/dotfiles/toolhive-config.yaml", r.Info != nil)
		r.Info = nil
		require.Equal(t, atomicfile.Resolved{Path: p, Target: p}, r)
		require.False(t, r.IsLink())
	}
}

// A chain is followed hop by hop, each relative target from its own link's
// directory; ".." is taken from the real directory when that directory is
// itself reached through a link (as the kernel does).
func TestResolveChainAndDotDot(t *testing.T) {
	m := dotfiles(t)
	require.NoError(t, m.MkdirAll("/home/u/dotfiles/stow/toolhive", 0o700))
	require.NoError(t, m.Remove(cfgLink))
	// config.yaml -> /home/u/hop (absolute) -> dotfiles/stow/toolhive/c (relative) -> ../../toolhive-config.yaml
	require.NoError(t, m.SymlinkIfPossible("/home/u/hop", cfgLink))
	require.NoError(t, m.SymlinkIfPossible("dotfiles/stow/toolhive/c", "/home/u/hop"))
	require.NoError(t, m.SymlinkIfPossible("../../toolhive-config.yaml", "/home/u/dotfiles/stow/toolhive/c"))
	r, err := atomicfile.Resolve(m, cfgLink)
	require.NoError(t, err)
	require.Equal(t, "/home/u/dotfiles/toolhive-config.yaml", r.Target)
	require.Len(t, r.Links, 3)

	// A folded directory (stow's): ~/.config/th -> dotfiles/stow/toolhive,
	// and in it a link "../../toolhive-config.yaml": lexically that would
	// be /home/u/toolhive-config.yaml; really it is the dotfiles file.
	require.NoError(t, m.SymlinkIfPossible("../dotfiles/stow/toolhive", "/home/u/.config/th"))
	r, err = atomicfile.Resolve(m, "/home/u/.config/th/c")
	require.NoError(t, err)
	require.Equal(t, "/home/u/dotfiles/toolhive-config.yaml", r.Target)
	fi, err := m.Stat("/home/u/.config/th/c")
	require.NoError(t, err)
	require.Equal(t, int64(5), fi.Size(), "the disk agrees")
}

func TestResolveRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, m *faults.MemFS)
		want  atomicfile.LinkReason
	}{
		{"dangling", func(t *testing.T, m *faults.MemFS) {
			require.NoError(t, m.Remove("/home/u/dotfiles/toolhive-config.yaml"))
		}, atomicfile.LinkDangling},
		{"target a directory", func(t *testing.T, m *faults.MemFS) {
			require.NoError(t, m.Remove("/home/u/dotfiles/toolhive-config.yaml"))
			require.NoError(t, m.Mkdir("/home/u/dotfiles/toolhive-config.yaml", 0o700))
		}, atomicfile.LinkNotRegular},
		{"read-only target (a Nix store file)", func(t *testing.T, m *faults.MemFS) {
			require.NoError(t, m.Chmod("/home/u/dotfiles/toolhive-config.yaml", 0o444))
		}, atomicfile.LinkReadOnly},
		{"link in a world-writable sticky directory", func(t *testing.T, m *faults.MemFS) {
			require.NoError(t, m.Chmod("/home/u/.config/toolhive", 0o777|os.ModeSticky))
		}, atomicfile.LinkWorldWritable},
		{"target in a world-writable directory", func(t *testing.T, m *faults.MemFS) {
			require.NoError(t, m.Chmod("/home/u/dotfiles", 0o757))
		}, atomicfile.LinkWorldWritable},
		{"cycle", func(t *testing.T, m *faults.MemFS) {
			require.NoError(t, m.Remove("/home/u/dotfiles/toolhive-config.yaml"))
			require.NoError(t, m.SymlinkIfPossible(cfgLink, "/home/u/dotfiles/toolhive-config.yaml"))
		}, atomicfile.LinkTooLong},
		{"chain longer than MaxLinkHops", func(t *testing.T, m *faults.MemFS) {
			require.NoError(t, m.Remove(cfgLink))
			require.NoError(t, m.SymlinkIfPossible("/home/u/l1", cfgLink))
			for i := 1; i < atomicfile.MaxLinkHops; i++ {
				require.NoError(t, m.SymlinkIfPossible(fmt.Sprintf("/home/u/l%d", i+1), fmt.Sprintf("/home/u/l%d", i)))
			}
			require.NoError(t, m.SymlinkIfPossible("/home/u/dotfiles/toolhive-config.yaml", fmt.Sprintf("/home/u/l%d", atomicfile.MaxLinkHops)))
		}, atomicfile.LinkTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := dotfiles(t)
			tc.setup(t, m)
			before := m.Files()
			_, err := atomicfile.Resolve(m, cfgLink)
			require.Equal(t, tc.want, reasonOf(t, err))
			require.Equal(t, before, m.Files())
		})
	}
	// MaxLinkHops links exactly are followed.
	m := dotfiles(t)
	require.NoError(t, m.Remove(cfgLink))
	require.NoError(t, m.SymlinkIfPossible("/home/u/l2", cfgLink))
	for i := 2; i < atomicfile.MaxLinkHops; i++ {
		require.NoError(t, m.SymlinkIfPossible(fmt.Sprintf("/home/u/l%d", i+1), fmt.Sprintf("/home/u/l%d", i)))
	}
	require.NoError(t, m.SymlinkIfPossible("/home/u/dotfiles/toolhive-config.yaml", fmt.Sprintf("/home/u/l%d", atomicfile.MaxLinkHops)))
	r, err := atomicfile.Resolve(m, cfgLink)
	require.NoError(t, err)
	require.Len(t, r.Links, atomicfile.MaxLinkHops)
}
