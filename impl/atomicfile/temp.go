package atomicfile

import (
	"path/filepath"
	"strings"

	"github.com/scopemig/scopemig/impl/internal/cleanpath"
)

// tempSuffix ends every temp file name.
const tempSuffix = ".scopemig-tmp"

// TempName returns the temp file Write uses for path: ".<base>.scopemig-tmp"
// in the same directory (same filesystem, so the rename is atomic; a dot
// file, so listings of the directory's stores skip it).
func TempName(path string) string {
	dir, base := filepath.Split(path)
	if cleanpath.IsClean(path) {
		// dir is "" or ends with its one separator: Join would only Clean.
		return dir + "." + base + tempSuffix
	}
	return filepath.Join(dir, "."+base+tempSuffix)
}

// IsTemp reports whether name (a base name or a path) is a temp file of
// this package.
func IsTemp(name string) bool {
	base := filepath.Base(name)
	return len(base) > len("."+tempSuffix) && strings.HasPrefix(base, ".") && strings.HasSuffix(base, tempSuffix)
}
