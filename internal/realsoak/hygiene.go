package realsoak

import (
	"errors"
	"os"
	"path/filepath"
	"slices"

	"github.com/scopemig/scopemig/model"
)

// scanImage (I8) applies model.CheckHygiene to the regular files a
// killed child left in the store's and the config's directories, before
// anything reopens the store (opening removes stale temp files, and the
// evidence with them). The config and its temp and lock files (names
// containing the config's name) keep their own modes.
func scanImage(secretsFile, configFile string, states ...model.State) []model.Violation {
	var files []model.ImageFile
	for _, dir := range slices.Compact([]string{filepath.Dir(secretsFile), filepath.Dir(configFile)}) {
		di, err := os.Stat(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		ents, err2 := os.ReadDir(dir)
		if err := errors.Join(err, err2); err != nil {
			return []model.Violation{{ID: model.I8, Detail: "cannot list the image: " + err.Error()}}
		}
		for _, e := range ents {
			if !e.Type().IsRegular() {
				continue
			}
			info, err1 := e.Info()
			b, err2 := os.ReadFile(filepath.Join(dir, e.Name()))
			if err := errors.Join(err1, err2); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue // removed since the listing
				}
				return []model.Violation{{ID: model.I8, Detail: "cannot read the image: " + err.Error()}}
			}
			files = append(files, model.ImageFile{
				Path: e.Name(), Perm: info.Mode().Perm(), DirPerm: di.Mode().Perm(), Data: b,
				Config: model.ConfigLike(e.Name(), configFile),
			})
		}
	}
	return model.CheckHygiene(files, model.HygieneRule{}, model.ValuesOf(states...))
}
