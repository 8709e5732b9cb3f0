package harness

import (
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

// checkHygiene (I8) applies model.CheckHygiene to every file of the
// image, the config exempt from the mode rule. It does not apply when the
// store is not on the disk (op-level targets).
func (e *env) checkHygiene(fsys afero.Fs, vals model.Values) []model.Violation {
	if !e.b.onDisk() {
		return nil
	}
	data := map[string][]byte{}
	files, err := listFiles(fsys, data)
	if err != nil {
		return []model.Violation{{ID: model.I8, Detail: fmt.Sprintf("cannot walk the image: %v", err)}}
	}
	img := make([]model.ImageFile, len(files))
	for i, f := range files {
		img[i] = model.ImageFile{Path: f.Path, Perm: f.Mode.Perm(), DirPerm: f.Dir, Data: data[f.Path], Config: model.ConfigLike(f.Path, fixture.ConfigPath)}
	}
	return e.model.CheckHygiene(img, model.HygieneRule{Plaintext: e.target.Plaintext}, vals)
}

// checkImage checks the state read from one crash image of a migration
// from s0: readable (I7) and I1–I3 against the model.
func (e *env) checkImage(s0, st model.State, readErr error) []model.Violation {
	if readErr != nil {
		return []model.Violation{{ID: model.I7, Detail: fmt.Sprintf("after the crash: %v", readErr)}}
	}
	return e.model.CheckAll(s0, st, e.policy)
}

// valueSet returns the values I8 searches for: those of the states.
func valueSet(states ...model.State) model.Values { return model.ValuesOf(states...) }
