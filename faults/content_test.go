package faults_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
)

// AppendContent is equal exactly when names, modes and bytes are: clones
// and process images agree with their disk; times and durability do not
// count; any changed byte, mode, name or directory does.
func TestAppendContent(t *testing.T) {
	m := twoFileDisk(t)
	key := string(m.AppendContent(nil))
	require.Equal(t, key, string(m.Clone().AppendContent(nil)))
	require.Equal(t, key, string(m.CrashImage(faults.Process, nil).AppendContent(nil)))
	require.NotEqual(t, key, string(m.CrashImage(faults.Power, nil).AppendContent(nil)), "the unsynced temp file is gone")
	require.Equal(t, "prefix"+key, string(m.AppendContent([]byte("prefix"))))

	c := m.Clone()
	require.NoError(t, c.Chtimes("/d/store", time.Unix(1, 0), time.Unix(1, 0)))
	syncDir(t, c, "/d")
	require.Equal(t, key, string(c.AppendContent(nil)), "times and syncs are not content")

	changes := map[string]func(*faults.MemFS) error{
		"byte": func(d *faults.MemFS) error {
			f, err := d.OpenFile("/d/store", os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			if _, err := f.WriteAt([]byte{1}, 10); err != nil {
				return err
			}
			return f.Close()
		},
		"mode":   func(d *faults.MemFS) error { return d.Chmod("/d/store", 0o644) },
		"name":   func(d *faults.MemFS) error { return d.Rename("/d/store", "/d/storf") },
		"dir":    func(d *faults.MemFS) error { return d.Mkdir("/e", 0o700) },
		"dirmod": func(d *faults.MemFS) error { return d.Chmod("/d", 0o755) },
		"length": func(d *faults.MemFS) error {
			return afero.WriteFile(d, "/d/config.yaml", []byte("secret_scope_migration: false\n\x00"), 0o600)
		},
		"moved": func(d *faults.MemFS) error {
			// The same bytes one level up: the depth is part of the key.
			if err := d.Rename("/d/config.yaml", "/config.yaml"); err != nil {
				return err
			}
			return nil
		},
	}
	for name, change := range changes {
		d := m.Clone()
		require.NoError(t, change(d), name)
		require.NotEqual(t, key, string(d.AppendContent(nil)), name)
	}
}

// VisitFiles lists every file depth first in name order, with its mode,
// its directory's mode and its live bytes, and stops at fn's error.
func TestVisitFiles(t *testing.T) {
	m := twoFileDisk(t)
	require.NoError(t, m.MkdirAll("/d/sub", 0o755))
	require.NoError(t, afero.WriteFile(m, "/d/sub/x", []byte("xx"), 0o640))
	type seen struct {
		path      string
		mode, dir os.FileMode
		data      string
	}
	var got []seen
	require.NoError(t, m.VisitFiles(func(p string, mode, dir os.FileMode, data []byte) error {
		got = append(got, seen{p, mode, dir, string(data)})
		return nil
	}))
	require.Equal(t, []seen{
		{"/d/.store.tmp", 0o600, os.ModeDir | 0o700, string(make([]byte, 1024))},
		{"/d/config.yaml", 0o600, os.ModeDir | 0o700, "secret_scope_migration: false\n"},
		{"/d/store", 0o600, os.ModeDir | 0o700, string(make([]byte, 1024))},
		{"/d/sub/x", 0o640, os.ModeDir | 0o755, "xx"},
	}, got)
	calls := 0
	stop := errors.New("stop")
	require.ErrorIs(t, m.VisitFiles(func(string, os.FileMode, os.FileMode, []byte) error {
		calls++
		return stop
	}), stop)
	require.Equal(t, 1, calls)
}
