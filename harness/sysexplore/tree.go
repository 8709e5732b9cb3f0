package sysexplore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/faults"
)

// errBadTree: the starting directory holds something the explorer cannot
// copy (regular files, directories, symlinks and hard links are supported).
var errBadTree = errors.New("unsupported file in the starting directory")

// copyTree copies the regular files, directories, symlinks (their target
// text as is) and hard links (as links) of src into dst (which must not
// exist), keeping permission bits.
func copyTree(src, dst string) error {
	_, err := copyTreeN(src, dst)
	return err
}

// copyTreeN is copyTree, returning the number of file bytes copied.
func copyTreeN(src, dst string) (int64, error) {
	var n int64
	links := linkGroups{}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(to, 0o700); err != nil {
				return err
			}
			return os.Chmod(to, info.Mode().Perm())
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case d.Type().IsRegular():
			if first, ok := links.seen(info, to); ok {
				return os.Link(first, to)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(to, b, 0o600); err != nil {
				return err
			}
			n += int64(len(b))
			return os.Chmod(to, info.Mode().Perm())
		}
		return fmt.Errorf("%w: %s (%s)", errBadTree, p, d.Type())
	})
	return n, err
}

// linkGroups remembers, per inode of a file with several names, the first
// name it was given (to link the later ones to it).
type linkGroups map[uint64]string

// seen returns the first name of info's inode, or records name as it.
func (g linkGroups) seen(info fs.FileInfo, name string) (string, bool) {
	ino, nlink := inodeOf(info)
	if nlink < 2 {
		return "", false
	}
	if first, ok := g[ino]; ok {
		return first, true
	}
	g[ino] = name
	return "", false
}

// loadDisk reads a real directory into a simulated disk on which
// everything is durable: the power-mode starting point.
func loadDisk(dir string) (*faults.MemFS, error) {
	m := faults.NewMemFS()
	var dirs []string
	links := linkGroups{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		mp := "/" + filepath.ToSlash(rel)
		if rel == "." {
			mp = "/"
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if mp != "/" {
				if err := m.Mkdir(mp, info.Mode().Perm()); err != nil {
					return err
				}
			}
			if err := m.Chmod(mp, info.Mode().Perm()); err != nil {
				return err
			}
			dirs = append(dirs, mp)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return m.SymlinkIfPossible(target, mp)
		case d.Type().IsRegular():
			if first, ok := links.seen(info, mp); ok {
				return m.Link(first, mp)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			f, err := m.OpenFile(mp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
			if err != nil {
				return err
			}
			_, werr := f.Write(b)
			serr := f.Sync()
			cerr := f.Close()
			if err := errors.Join(werr, serr, cerr); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: %s (%s)", errBadTree, p, d.Type())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		if err := syncPath(m, d); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func syncPath(fsys afero.Fs, p string) error {
	f, err := fsys.Open(p)
	if err != nil {
		return err
	}
	serr := f.Sync()
	return errors.Join(serr, f.Close())
}

// writeDisk materializes a simulated disk into a new real directory dst
// (the root's mode is applied to dst itself).
func writeDisk(m *faults.MemFS, dst string) error {
	if err := os.Mkdir(dst, 0o700); err != nil {
		return err
	}
	if fi, err := m.Stat("/"); err == nil {
		if err := os.Chmod(dst, fi.Mode().Perm()); err != nil {
			return err
		}
	}
	files := m.Files()
	paths := slices.Sorted(func(yield func(string) bool) {
		for p := range files {
			if !yield(p) {
				return
			}
		}
	})
	// Parents sort before children; directories get their mode after their
	// content is written (a 0500 directory must still be filled).
	// Hard links are made once every file is there.
	var dirs, links []string
	for _, p := range paths {
		e := files[p]
		to := filepath.Join(dst, filepath.FromSlash(strings.TrimPrefix(p, "/")))
		switch {
		case e.Mode.IsDir():
			if err := os.Mkdir(to, 0o700); err != nil {
				return err
			}
			dirs = append(dirs, p)
			continue
		case e.Mode&fs.ModeSymlink != 0:
			if err := os.Symlink(string(e.Data), to); err != nil {
				return err
			}
			continue
		case e.Link != "":
			links = append(links, p)
			continue
		}
		if err := os.WriteFile(to, e.Data, 0o600); err != nil {
			return err
		}
		if err := os.Chmod(to, e.Mode.Perm()); err != nil {
			return err
		}
	}
	for _, p := range links {
		at := func(p string) string { return filepath.Join(dst, filepath.FromSlash(strings.TrimPrefix(p, "/"))) }
		if err := os.Link(at(files[p].Link), at(p)); err != nil {
			return err
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		to := filepath.Join(dst, filepath.FromSlash(strings.TrimPrefix(dirs[i], "/")))
		if err := os.Chmod(to, files[dirs[i]].Mode.Perm()); err != nil {
			return err
		}
	}
	return nil
}

// treeNames lists the paths (relative, slash) of every file and directory
// below dir, sorted: the file set I4 compares.
func treeNames(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out = append(out, path.Clean(filepath.ToSlash(rel)))
		return nil
	})
	slices.Sort(out)
	return out, err
}
