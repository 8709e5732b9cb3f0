package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/afero"
)

// MaxLinkHops bounds the chain of symlinks Resolve follows from the path
// a caller names to the file it reads and replaces.
const MaxLinkHops = 8

// ErrUnsafeLink reports a path that is a symlink scopemig will not follow
// (see Resolve); every such error is an *UnsafeLinkError. Nothing has been
// written when it is returned.
var ErrUnsafeLink = errors.New("symlink not safe to follow")

// LinkReason says why Resolve refused a symlink.
type LinkReason uint8

// The reasons of an UnsafeLinkError.
const (
	LinkDangling       LinkReason = iota + 1 // the chain ends at nothing
	LinkNotRegular                           // the chain ends at a directory, a FIFO, a device…
	LinkReadOnly                             // the target has no owner write bit (a package manager's file)
	LinkOwner                                // a link or the target belongs to another user
	LinkWorldWritable                        // a directory holding a link or the target is writable by everyone
	LinkDirNotWritable                       // the target's directory does not let this process create the temp file
	LinkTooLong                              // more than MaxLinkHops links, or a cycle
	LinkUnreadable                           // a link or directory on the way cannot be read
)

// UnsafeLinkError is Resolve's refusal: Link is the path the caller named,
// Target where the link (or the hop whose check failed) points, Reason why,
// Detail the specifics (a directory, a mode, owners).
type UnsafeLinkError struct {
	Link, Target string
	Reason       LinkReason
	Detail       string
}

// Error is one line: the link, its target, why, what to do, and that
// nothing changed.
func (e *UnsafeLinkError) Error() string {
	why, todo := e.explain()
	if e.Reason == LinkUnreadable {
		return fmt.Sprintf("%s is a symlink scopemig cannot follow: %s; %s; nothing changed", e.Link, why, todo)
	}
	return fmt.Sprintf("%s is a symlink to %s, which scopemig will not follow: %s; %s; nothing changed", e.Link, e.Target, why, todo)
}

// Unwrap makes errors.Is(err, ErrUnsafeLink) hold.
func (e *UnsafeLinkError) Unwrap() error { return ErrUnsafeLink }

func (e *UnsafeLinkError) explain() (why, todo string) {
	switch e.Reason {
	case LinkDangling:
		return "the target does not exist (a dangling link)", "create the file it points to, or remove the link"
	case LinkNotRegular:
		return "the target is " + e.Detail + ", not a regular file", "point the link at a regular file"
	case LinkReadOnly:
		return "the target is read-only (" + e.Detail + "), as the files a package manager such as Nix or home-manager installs are",
			"change it where it is managed (edit its source and rebuild), or replace the link with a writable copy"
	case LinkOwner:
		return e.Detail, "run scopemig as the owner, or replace the link with a file you own"
	case LinkWorldWritable:
		return e.Detail, "keep the file and its links in directories only you can write (chmod o-w), or pass the file's own path"
	case LinkDirNotWritable:
		return e.Detail + " (scopemig replaces the file through a temp file next to it)", "make that directory writable, or replace the link with a copy"
	case LinkTooLong:
		return fmt.Sprintf("more than %d links in a chain, or a cycle", MaxLinkHops), "point the link at the file directly"
	default:
		return "cannot read it: " + e.Detail, "check the permissions of the link and its directories"
	}
}

// Resolved is a path resolved by Resolve.
type Resolved struct {
	Path   string   // the path as named (cleaned): locks named after it go next to it
	Target string   // the file to read and replace: Path itself unless Path is a symlink
	Links  []string // the links followed, Path first; empty when Path is not a link
	// Info is Target's Lstat as Resolve read it (nil when Target is
	// missing), so that a caller need not stat it again.
	Info os.FileInfo
}

// IsLink reports whether Path is a symlink that was followed.
func (r Resolved) IsLink() bool { return len(r.Links) > 0 }

// Resolve decides, reading only, which file a store or config named path
// lives in. A path that is not a symlink (a regular file, or missing, or
// anything else: the caller's own checks refuse that) resolves to itself.
// A symlink — the layout of dotfile managers (GNU stow, yadm, chezmoi's
// symlink mode, home-manager) — is followed, at most MaxLinkHops links,
// when it is safe to replace its target in place of the link; each hop is
// checked, and a failure is an *UnsafeLinkError (the first one found; a
// read-only target is named before a link's failed check):
//
//   - every link of the chain and the target belong to this process's user
//     (run as root: all to one same user, the first link's owner), else
//     LinkOwner; filesystems without owners (in memory) skip this;
//   - no directory holding a link of the chain or the target is writable
//     by others (mode o+w, sticky or not), else LinkWorldWritable: someone
//     else could swap an entry there;
//   - the chain ends at an existing regular file (LinkDangling,
//     LinkNotRegular), with its owner write bit (LinkReadOnly: a
//     package manager's read-only file such as one in /nix/store);
//   - on a real filesystem this process may create the temp file in the
//     target's directory (access(2), LinkDirNotWritable).
//
// A relative link target is resolved from the directory holding the link,
// as the kernel does (a ".." is taken from that directory's real path when
// links lead to it). The replace then happens in the target's directory
// (Write(fsys, r.Target, …), under the lock of that directory), so the link
// stays a link; lock files named after the path (ToolHive's "<path>.lock")
// go next to r.Path, where ToolHive takes them.
func Resolve(fsys afero.Fs, path string) (Resolved, error) {
	return ResolveAs(fsys, path, ProcessIdentity())
}

// ResolveAs is Resolve for a process of identity id.
func ResolveAs(fsys afero.Fs, path string, id Identity) (Resolved, error) {
	path = filepath.Clean(path)
	r := Resolved{Path: path, Target: path}
	fail := func(target string, reason LinkReason, detail string) (Resolved, error) {
		return Resolved{}, &UnsafeLinkError{Link: path, Target: target, Reason: reason, Detail: detail}
	}
	chainOwner := Owner{UID: id.UID, Known: id.Known && !id.root()}
	// hopErr is the first failed check of a link on the way, reported once
	// the chain is read: unless its end is read-only, which says more (a
	// home-manager chain runs through root's links in /nix/store to a
	// read-only file).
	var hopErr error
	cur := path
	for {
		fi, err := lstat(fsys, cur)
		switch {
		case errors.Is(err, fs.ErrNotExist) && !r.IsLink():
			return r, nil // missing: the caller creates it
		case errors.Is(err, fs.ErrNotExist):
			return fail(cur, LinkDangling, "")
		case err != nil && !r.IsLink():
			return Resolved{}, err
		case err != nil:
			return fail(cur, LinkUnreadable, err.Error())
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			r.Info = fi
			if !r.IsLink() {
				return r, nil
			}
			r.Target = cur
			if reason, detail := checkTarget(fsys, cur, fi, &chainOwner); reason == LinkReadOnly || (reason != 0 && hopErr == nil) {
				return fail(cur, reason, detail)
			}
			if hopErr != nil {
				return Resolved{}, hopErr
			}
			return r, nil
		}
		if len(r.Links) == MaxLinkHops || slices.Contains(r.Links, cur) {
			return fail(cur, LinkTooLong, "")
		}
		next, err := readlink(fsys, cur)
		if err != nil {
			return fail(cur, LinkUnreadable, err.Error())
		}
		if !filepath.IsAbs(next) {
			dir := filepath.Dir(cur)
			if hasDotDot(next) {
				if dir, err = realDir(fsys, dir, MaxLinkHops*4); err != nil {
					return fail(next, LinkUnreadable, err.Error())
				}
			}
			next = filepath.Join(dir, next)
		}
		next = filepath.Clean(next)
		if reason, detail := checkOwner(fi, cur, "the link", &chainOwner, id); reason != 0 && hopErr == nil {
			_, hopErr = fail(next, reason, detail)
		}
		if reason, detail := checkDir(fsys, filepath.Dir(cur)); reason != 0 && hopErr == nil {
			_, hopErr = fail(next, reason, detail)
		}
		r.Links = append(r.Links, cur)
		cur = next
	}
}

// checkTarget checks the file a chain ends at (fi, its Lstat).
func checkTarget(fsys afero.Fs, target string, fi os.FileInfo, chainOwner *Owner) (LinkReason, string) {
	if !fi.Mode().IsRegular() {
		return LinkNotRegular, "a " + TypeName(fi.Mode())
	}
	if fi.Mode().Perm()&0o200 == 0 {
		return LinkReadOnly, fmt.Sprintf("mode %04o", fi.Mode().Perm())
	}
	if reason, detail := checkOwner(fi, target, "the target", chainOwner, Identity{}); reason != 0 {
		return reason, detail
	}
	dir := filepath.Dir(target)
	if reason, detail := checkDir(fsys, dir); reason != 0 {
		return reason, detail
	}
	if err := writableDir(fsys, dir); err != nil {
		return LinkDirNotWritable, "its directory " + dir + " is not writable by this process"
	}
	return 0, ""
}

// checkOwner checks that fi (a link, or the target) belongs to the chain's
// owner; the first link fixes it for root (chainOwner unknown until then).
func checkOwner(fi os.FileInfo, name, what string, chainOwner *Owner, id Identity) (LinkReason, string) {
	o := ownerOf(fi)
	if !o.Known {
		return 0, ""
	}
	if !chainOwner.Known {
		if !id.root() {
			return 0, "" // no identity to compare with (tests, other systems)
		}
		*chainOwner = Owner{UID: o.UID, Known: true}
	}
	if o.UID != chainOwner.UID {
		return LinkOwner, fmt.Sprintf("%s %s belongs to uid %d, not to uid %d", what, name, o.UID, chainOwner.UID)
	}
	return 0, ""
}

// checkDir refuses a directory that others may write to.
func checkDir(fsys afero.Fs, dir string) (LinkReason, string) {
	di, err := fsys.Stat(dir)
	if err != nil {
		return LinkUnreadable, err.Error()
	}
	if di.Mode().Perm()&0o002 != 0 {
		sticky := ""
		if di.Mode()&fs.ModeSticky != 0 {
			sticky = " (sticky, like /tmp)"
		}
		return LinkWorldWritable, fmt.Sprintf("the directory %s is writable by everyone%s", dir, sticky)
	}
	return 0, ""
}

// readlink is Readlink where fsys supports it.
func readlink(fsys afero.Fs, name string) (string, error) {
	if r, ok := fsys.(afero.LinkReader); ok {
		return r.ReadlinkIfPossible(name)
	}
	return "", fmt.Errorf("readlink %s: %w", name, errors.ErrUnsupported)
}

// hasDotDot reports whether the relative path p has a ".." element.
func hasDotDot(p string) bool {
	return slices.Contains(strings.Split(filepath.ToSlash(p), "/"), "..")
}

// realDir returns the absolute directory dir with every symlink in it
// resolved (as the kernel walks it), following at most budget links. A
// relative dir is returned as it is.
func realDir(fsys afero.Fs, dir string, budget int) (string, error) {
	dir = filepath.Clean(dir)
	if !filepath.IsAbs(dir) {
		return dir, nil
	}
	out := string(filepath.Separator)
	rest := strings.Split(strings.TrimPrefix(filepath.ToSlash(dir), "/"), "/")
	for len(rest) > 0 {
		part := rest[0]
		rest = rest[1:]
		if part == "" {
			continue
		}
		next := filepath.Join(out, part)
		fi, err := lstat(fsys, next)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			out = next
			continue
		}
		if budget--; budget < 0 {
			return "", fmt.Errorf("%s: too many links", dir)
		}
		t, err := readlink(fsys, next)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(out, t)
		}
		// out is real, so Join's lexical ".." is the kernel's; t's own
		// components may be links: walk it again, then the rest.
		rest = append(strings.Split(strings.TrimPrefix(filepath.ToSlash(filepath.Clean(t)), "/"), "/"), rest...)
		out = string(filepath.Separator)
	}
	return out, nil
}
