package faults_test

import (
	"errors"
	"io"
	"os"
	"slices"
	"syscall"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
)

// fsCase is one filesystem the conformance suite runs on.
type fsCase struct {
	name string
	mk   func(t *testing.T) afero.Fs
	// posix: the filesystem follows POSIX where afero.MemMapFs does not
	// (parents must exist, Remove of a non-empty directory fails, Close
	// twice fails, a short ReadAt returns io.EOF).
	posix bool
}

func conformanceCases() []fsCase {
	return []fsCase{
		{"MemMapFs", func(*testing.T) afero.Fs { return afero.NewMemMapFs() }, false},
		{"OsFs", func(t *testing.T) afero.Fs { return afero.NewBasePathFs(afero.NewOsFs(), t.TempDir()) }, true},
		{"MemFS", func(*testing.T) afero.Fs { return faults.NewMemFS() }, true},
		{"FS(MemFS)", func(*testing.T) afero.Fs { return faults.NewFS(faults.NewMemFS(), nil) }, true},
		{"FS(OsFs)", func(t *testing.T) afero.Fs {
			return faults.NewFS(afero.NewBasePathFs(afero.NewOsFs(), t.TempDir()), nil)
		}, true},
		{"FS(MemFS,none-firing)", func(*testing.T) afero.Fs {
			// A schedule whose faults are all beyond the test's operations.
			inj := faults.Seq(faults.CrashAt{Op: 1 << 30, Mode: faults.Power}, faults.ErrorAt{Op: 1 << 30})
			return faults.NewFS(faults.NewMemFS(), inj)
		}, true},
	}
}

func TestConformance(t *testing.T) {
	for _, c := range conformanceCases() {
		t.Run(c.name, func(t *testing.T) { runConformance(t, c) })
	}
}

func writeFile(t testing.TB, fsys afero.Fs, name, content string, perm os.FileMode) {
	t.Helper()
	f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	require.NoError(t, err)
	n, err := f.Write([]byte(content))
	require.NoError(t, err)
	require.Equal(t, len(content), n)
	require.NoError(t, f.Close())
}

func readFile(t testing.TB, fsys afero.Fs, name string) string {
	t.Helper()
	b, err := afero.ReadFile(fsys, name)
	require.NoError(t, err)
	return string(b)
}

func requirePathErr(t *testing.T, err error, target error) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, target)
	var pe *os.PathError
	var le *os.LinkError
	require.True(t, errors.As(err, &pe) || errors.As(err, &le), "want *os.PathError or *os.LinkError, got %T", err)
}

// runConformance checks ordinary filesystem behaviour on c: the same
// expectations for afero's filesystems, MemFS and FS over MemFS.
func runConformance(t *testing.T, c fsCase) {
	t.Run("CreateWriteRead", func(t *testing.T) {
		fsys := c.mk(t)
		require.NoError(t, fsys.Mkdir("/d", 0o755))
		f, err := fsys.Create("/d/f")
		require.NoError(t, err)
		require.Equal(t, "/d/f", f.Name())
		_, err = f.WriteString("hello ")
		require.NoError(t, err)
		_, err = f.Write([]byte("world"))
		require.NoError(t, err)
		require.NoError(t, f.Sync())
		fi, err := f.Stat()
		require.NoError(t, err)
		require.Equal(t, int64(11), fi.Size())
		require.Equal(t, "f", fi.Name())
		require.NoError(t, f.Close())
		require.Equal(t, "hello world", readFile(t, fsys, "/d/f"))

		fi, err = fsys.Stat("/d/f")
		require.NoError(t, err)
		require.Equal(t, "f", fi.Name())
		require.False(t, fi.IsDir())
		require.Equal(t, int64(11), fi.Size())

		// Create truncates an existing file.
		f, err = fsys.Create("/d/f")
		require.NoError(t, err)
		require.NoError(t, f.Close())
		require.Equal(t, "", readFile(t, fsys, "/d/f"))
	})

	t.Run("OpenFlags", func(t *testing.T) {
		fsys := c.mk(t)
		require.NoError(t, fsys.Mkdir("/d", 0o755))
		writeFile(t, fsys, "/d/f", "abc", 0o644)

		_, err := fsys.OpenFile("/d/f", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		requirePathErr(t, err, os.ErrExist)
		f, err := fsys.OpenFile("/d/g", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		require.NoError(t, err)
		require.NoError(t, f.Close())

		f, err = fsys.OpenFile("/d/f", os.O_WRONLY|os.O_APPEND, 0)
		require.NoError(t, err)
		_, err = f.Write([]byte("def"))
		require.NoError(t, err)
		require.NoError(t, f.Close())
		require.Equal(t, "abcdef", readFile(t, fsys, "/d/f"))

		f, err = fsys.OpenFile("/d/f", os.O_RDWR|os.O_TRUNC, 0)
		require.NoError(t, err)
		_, err = f.Write([]byte("xy"))
		require.NoError(t, err)
		require.NoError(t, f.Close())
		require.Equal(t, "xy", readFile(t, fsys, "/d/f"))

		// Read-only handles refuse writes.
		f, err = fsys.Open("/d/f")
		require.NoError(t, err)
		_, err = f.Write([]byte("z"))
		require.Error(t, err)
		require.NoError(t, f.Close())
		require.Equal(t, "xy", readFile(t, fsys, "/d/f"))

		_, err = fsys.Open("/d/missing")
		requirePathErr(t, err, os.ErrNotExist)
		_, err = fsys.OpenFile("/d/missing", os.O_RDWR, 0)
		requirePathErr(t, err, os.ErrNotExist)
		_, err = fsys.Stat("/d/missing")
		requirePathErr(t, err, os.ErrNotExist)
	})

	t.Run("SeekReadAtWriteAt", func(t *testing.T) {
		fsys := c.mk(t)
		writeFile(t, fsys, "/f", "0123456789", 0o644)
		f, err := fsys.OpenFile("/f", os.O_RDWR, 0)
		require.NoError(t, err)
		defer f.Close()

		pos, err := f.Seek(3, io.SeekStart)
		require.NoError(t, err)
		require.Equal(t, int64(3), pos)
		buf := make([]byte, 2)
		_, err = io.ReadFull(f, buf)
		require.NoError(t, err)
		require.Equal(t, "34", string(buf))
		pos, err = f.Seek(1, io.SeekCurrent)
		require.NoError(t, err)
		require.Equal(t, int64(6), pos)
		pos, err = f.Seek(-2, io.SeekEnd)
		require.NoError(t, err)
		require.Equal(t, int64(8), pos)
		rest, err := io.ReadAll(f)
		require.NoError(t, err)
		require.Equal(t, "89", string(rest))
		n, err := f.Read(buf)
		require.Equal(t, 0, n)
		require.ErrorIs(t, err, io.EOF)

		n, err = f.ReadAt(buf, 1)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		require.Equal(t, "12", string(buf))
		n, err = f.ReadAt(make([]byte, 4), 8)
		require.Equal(t, 2, n)
		if c.posix { // MemMapFs returns a short read without io.EOF
			require.ErrorIs(t, err, io.EOF)
		}

		_, err = f.WriteAt([]byte("AB"), 4)
		require.NoError(t, err)
		// Writing past the end zero-fills the gap.
		_, err = f.WriteAt([]byte("Z"), 12)
		require.NoError(t, err)
		require.Equal(t, "0123AB6789\x00\x00Z", readFile(t, fsys, "/f"))
	})

	t.Run("Truncate", func(t *testing.T) {
		fsys := c.mk(t)
		writeFile(t, fsys, "/f", "0123456789", 0o644)
		f, err := fsys.OpenFile("/f", os.O_RDWR, 0)
		require.NoError(t, err)
		require.NoError(t, f.Truncate(4))
		require.Equal(t, "0123", readFile(t, fsys, "/f"))
		require.NoError(t, f.Truncate(6))
		require.Equal(t, "0123\x00\x00", readFile(t, fsys, "/f"))
		require.NoError(t, f.Close())
	})

	t.Run("ClosedHandle", func(t *testing.T) {
		fsys := c.mk(t)
		writeFile(t, fsys, "/f", "x", 0o644)
		f, err := fsys.Open("/f")
		require.NoError(t, err)
		require.NoError(t, f.Close())
		_, err = f.Read(make([]byte, 1))
		require.Error(t, err)
		if c.posix {
			require.ErrorIs(t, f.Close(), os.ErrClosed)
		}
	})

	t.Run("Mkdir", func(t *testing.T) {
		fsys := c.mk(t)
		require.NoError(t, fsys.Mkdir("/d", 0o700))
		fi, err := fsys.Stat("/d")
		require.NoError(t, err)
		require.True(t, fi.IsDir())
		require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
		requirePathErr(t, fsys.Mkdir("/d", 0o700), os.ErrExist)
		require.NoError(t, fsys.MkdirAll("/d", 0o700))
		require.NoError(t, fsys.MkdirAll("/d/e/f", 0o755))
		fi, err = fsys.Stat("/d/e/f")
		require.NoError(t, err)
		require.True(t, fi.IsDir())
		if c.posix {
			requirePathErr(t, fsys.Mkdir("/x/y", 0o755), os.ErrNotExist)
			_, err = fsys.Create("/x/y")
			requirePathErr(t, err, os.ErrNotExist)
			writeFile(t, fsys, "/file", "", 0o644)
			requirePathErr(t, fsys.MkdirAll("/file/sub", 0o755), syscall.ENOTDIR)
		}
	})

	t.Run("ReadDirSorted", func(t *testing.T) {
		fsys := c.mk(t)
		require.NoError(t, fsys.Mkdir("/d", 0o755))
		for _, n := range []string{"c", "a", "b"} {
			writeFile(t, fsys, "/d/"+n, n, 0o644)
		}
		require.NoError(t, fsys.Mkdir("/d/sub", 0o755))
		infos, err := afero.ReadDir(fsys, "/d")
		require.NoError(t, err)
		var names []string
		for _, fi := range infos {
			names = append(names, fi.Name())
		}
		require.Equal(t, []string{"a", "b", "c", "sub"}, names)
		require.True(t, infos[3].IsDir())

		d, err := fsys.Open("/d")
		require.NoError(t, err)
		got, err := d.Readdirnames(-1)
		require.NoError(t, err)
		slices.Sort(got)
		require.Equal(t, []string{"a", "b", "c", "sub"}, got)
		require.NoError(t, d.Close())

		// Counted reads end with io.EOF.
		d, err = fsys.Open("/d")
		require.NoError(t, err)
		var all []string
		for {
			part, err := d.Readdirnames(3)
			all = append(all, part...)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			require.NotEmpty(t, part)
		}
		slices.Sort(all)
		require.Equal(t, []string{"a", "b", "c", "sub"}, all)
		require.NoError(t, d.Close())
	})

	t.Run("Rename", func(t *testing.T) {
		fsys := c.mk(t)
		require.NoError(t, fsys.Mkdir("/d", 0o755))
		writeFile(t, fsys, "/d/a", "A", 0o644)
		writeFile(t, fsys, "/d/b", "B", 0o644)
		require.NoError(t, fsys.Rename("/d/a", "/d/c"))
		_, err := fsys.Stat("/d/a")
		requirePathErr(t, err, os.ErrNotExist)
		require.Equal(t, "A", readFile(t, fsys, "/d/c"))
		// Over an existing file.
		require.NoError(t, fsys.Rename("/d/c", "/d/b"))
		require.Equal(t, "A", readFile(t, fsys, "/d/b"))
		_, err = fsys.Stat("/d/c")
		requirePathErr(t, err, os.ErrNotExist)
		// Into another directory, and a directory with its content.
		require.NoError(t, fsys.Mkdir("/e", 0o755))
		require.NoError(t, fsys.Rename("/d/b", "/e/b"))
		require.Equal(t, "A", readFile(t, fsys, "/e/b"))
		require.NoError(t, fsys.Rename("/e", "/f"))
		require.Equal(t, "A", readFile(t, fsys, "/f/b"))
		requirePathErr(t, fsys.Rename("/d/missing", "/d/x"), os.ErrNotExist)
	})

	t.Run("Remove", func(t *testing.T) {
		fsys := c.mk(t)
		require.NoError(t, fsys.MkdirAll("/d/sub", 0o755))
		writeFile(t, fsys, "/d/f", "x", 0o644)
		writeFile(t, fsys, "/d/sub/g", "y", 0o644)
		require.NoError(t, fsys.Remove("/d/f"))
		requirePathErr(t, fsys.Remove("/d/f"), os.ErrNotExist)
		if c.posix {
			requirePathErr(t, fsys.Remove("/d"), syscall.ENOTEMPTY)
			require.Equal(t, "y", readFile(t, fsys, "/d/sub/g"))
		}
		require.NoError(t, fsys.RemoveAll("/d"))
		_, err := fsys.Stat("/d/sub/g")
		requirePathErr(t, err, os.ErrNotExist)
		_, err = fsys.Stat("/d")
		requirePathErr(t, err, os.ErrNotExist)
		require.NoError(t, fsys.RemoveAll("/d"))
		require.NoError(t, fsys.Mkdir("/e", 0o755))
		require.NoError(t, fsys.Remove("/e"))
	})

	t.Run("Modes", func(t *testing.T) {
		fsys := c.mk(t)
		f, err := fsys.OpenFile("/f", os.O_WRONLY|os.O_CREATE, 0o600)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		fi, err := fsys.Stat("/f")
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		require.True(t, fi.Mode().IsRegular())
		require.NoError(t, fsys.Chmod("/f", 0o640))
		fi, err = fsys.Stat("/f")
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o640), fi.Mode().Perm())
		require.NoError(t, fsys.Mkdir("/d", 0o755))
		require.NoError(t, fsys.Chmod("/d", 0o700))
		fi, err = fsys.Stat("/d")
		require.NoError(t, err)
		require.Equal(t, os.ModeDir|0o700, fi.Mode()&(os.ModeDir|os.ModePerm))
		requirePathErr(t, fsys.Chmod("/missing", 0o600), os.ErrNotExist)
	})

	t.Run("POSIXErrors", func(t *testing.T) {
		if !c.posix {
			t.Skip("afero.MemMapFs does not follow POSIX here")
		}
		fsys := c.mk(t)
		require.NoError(t, fsys.MkdirAll("/d/sub", 0o755))
		require.NoError(t, fsys.MkdirAll("/e/full", 0o755))
		writeFile(t, fsys, "/d/f", "x", 0o644)
		writeFile(t, fsys, "/e/full/g", "y", 0o644)
		requirePathErr(t, fsys.Rename("/d/sub", "/d/f"), syscall.ENOTDIR)
		// As os.Rename: nothing replaces an existing directory.
		requirePathErr(t, fsys.Rename("/d/f", "/d/sub"), os.ErrExist)
		requirePathErr(t, fsys.Rename("/d/sub", "/e/full"), os.ErrExist)
		require.NoError(t, fsys.Mkdir("/empty", 0o755))
		requirePathErr(t, fsys.Rename("/d/sub", "/empty"), os.ErrExist)
		requirePathErr(t, fsys.Rename("/d", "/d/sub/x"), syscall.EINVAL)
		requirePathErr(t, fsys.Rename("/d/f", "/nodir/f"), os.ErrNotExist)
		_, err := fsys.OpenFile("/d", os.O_WRONLY, 0)
		requirePathErr(t, err, syscall.EISDIR)
		d, err := fsys.Open("/d")
		require.NoError(t, err)
		_, err = d.Read(make([]byte, 1))
		require.ErrorIs(t, err, syscall.EISDIR)
		require.NoError(t, d.Close())
		f, err := fsys.Open("/d/f")
		require.NoError(t, err)
		_, err = f.Readdirnames(-1)
		require.Error(t, err)
		require.NoError(t, f.Close())
		f, err = fsys.OpenFile("/d/f", os.O_WRONLY|os.O_APPEND, 0)
		require.NoError(t, err)
		_, err = f.WriteAt([]byte("z"), 0)
		require.Error(t, err)
		_, err = f.Seek(-1, io.SeekStart)
		require.Error(t, err)
		require.NoError(t, f.Close())
		require.Equal(t, "x", readFile(t, fsys, "/d/f"))
	})

	t.Run("SyncDir", func(t *testing.T) {
		fsys := c.mk(t)
		require.NoError(t, fsys.Mkdir("/d", 0o755))
		d, err := fsys.Open("/d")
		require.NoError(t, err)
		require.NoError(t, d.Sync())
		require.NoError(t, d.Close())
	})
}
