package harness

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// fileEntry is one file of an image, for I4 and I8.
type fileEntry struct {
	Path string
	Mode fs.FileMode
	Dir  fs.FileMode // mode of the parent directory
}

// listFiles walks fsys and returns every regular file, sorted, with the
// bytes of each (when data is non-nil, it is filled). On a *faults.MemFS
// (every image) the bytes are the disk's own: read them before the disk
// changes, never modify them.
func listFiles(fsys afero.Fs, data map[string][]byte) ([]fileEntry, error) {
	var out []fileEntry
	if m, ok := fsys.(*faults.MemFS); ok {
		err := m.VisitFiles(func(p string, mode, dir os.FileMode, b []byte) error {
			out = append(out, fileEntry{Path: p, Mode: mode, Dir: dir.Perm()})
			if data != nil {
				if b == nil {
					b = []byte{}
				}
				data[p] = b
			}
			return nil
		})
		slices.SortFunc(out, func(a, b fileEntry) int { return strings.Compare(a.Path, b.Path) })
		return out, err
	}
	err := afero.Walk(fsys, "/", func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() {
			return nil
		}
		dir, err := fsys.Stat(path.Dir(p))
		if err != nil {
			return err
		}
		out = append(out, fileEntry{Path: p, Mode: info.Mode(), Dir: dir.Mode().Perm()})
		if data != nil {
			b, err := afero.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			data[p] = b
		}
		return nil
	})
	slices.SortFunc(out, func(a, b fileEntry) int { return strings.Compare(a.Path, b.Path) })
	return out, err
}

// checkHygiene (I8): no value of any state in vals appears in plaintext in
// any file, every file that is not the config is 0600 in a 0700 directory.
// It does not apply when the store is not on the disk (op-level targets).
func (e *env) checkHygiene(fsys afero.Fs, vals map[string]bool) []model.Violation {
	if !e.b.onDisk() {
		return nil
	}
	data := map[string][]byte{}
	files, err := listFiles(fsys, data)
	if err != nil {
		return []model.Violation{{ID: model.I8, Detail: fmt.Sprintf("cannot walk the image: %v", err)}}
	}
	var out []model.Violation
	for _, f := range files {
		if f.Path == fixture.ConfigPath {
			continue
		}
		if f.Mode.Perm() != 0o600 || f.Dir != 0o700 {
			out = append(out, model.Violation{ID: model.I8, Detail: fmt.Sprintf("%s has mode %v in a directory of mode %v, want 0600 in 0700", f.Path, f.Mode.Perm(), f.Dir)})
		}
		if e.target.Plaintext {
			continue
		}
		for v := range vals {
			if scanable(v) && bytes.Contains(data[f.Path], []byte(v)) {
				out = append(out, model.Violation{ID: model.I8, Detail: fmt.Sprintf("%s holds a secret value in plaintext", f.Path)})
				break
			}
		}
	}
	return out
}

// checkImage checks the state read from one crash image of a migration
// from s0: readable (I7) and I1–I3 against the model.
func (e *env) checkImage(s0, st model.State, readErr error) []model.Violation {
	if readErr != nil {
		return []model.Violation{{ID: model.I7, Detail: fmt.Sprintf("after the crash: %v", readErr)}}
	}
	return e.model.CheckAll(s0, st, e.policy)
}

func valueSet(states ...model.State) map[string]bool {
	out := map[string]bool{}
	for _, s := range states {
		for _, v := range s.Secrets {
			out[v] = true
		}
	}
	return out
}
