package model

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
)

// MinScanLen is the shortest value I8 searches for in a file's bytes. A
// shorter value could appear in ciphertext by chance; for a value of
// MinScanLen bytes the chance that it occurs somewhere in n bytes of
// uniformly random ciphertext is below n·2⁻⁶⁴, so a match is a leak, never
// noise. Every explorer uses this one threshold.
const MinScanLen = 8

// The most open modes a file holding secrets, and its directory, may have.
// A mode with fewer bits (0400, 0500) is fine: the rule is "no more open
// than", never "exactly".
const (
	SecretFilePerm fs.FileMode = 0o600
	SecretDirPerm  fs.FileMode = 0o700
)

// ImageFile is one regular file of a crash image, as I8 sees it. The
// caller lists the files (an in-memory disk, a real directory); the check
// itself does no I/O.
type ImageFile struct {
	Path    string      // for messages
	Perm    fs.FileMode // the file's permission bits
	DirPerm fs.FileMode // its directory's permission bits
	Data    []byte

	// Config marks the config file and its temp files: they hold no secret
	// by design and keep their own modes (ToolHive's config is 0644 in a
	// 0755 directory). Their bytes are still searched for values.
	Config bool
	// Unchanged marks a file byte-identical to one that was there before
	// the run (the user's own file): it is not searched, since the program
	// under test did not write it.
	Unchanged bool
	// MaxPerm and MaxDirPerm widen the allowed modes for a file or
	// directory that already existed with more open modes (a user's 0755
	// ~/.config); zero means SecretFilePerm and SecretDirPerm.
	MaxPerm, MaxDirPerm fs.FileMode
}

// HygieneRule says how to apply I8 to one store.
type HygieneRule struct {
	// Plaintext is set for a store that is plaintext by design: values are
	// not searched, modes still are.
	Plaintext bool
}

// Values maps each secret value to a key that held it, named in messages
// ("" when the key is not known). Build it with ValuesOf, or Add the
// values a run writes.
type Values map[string]string

// ValuesOf returns the values of the given states, each with the first key,
// in key order of the first state holding it.
func ValuesOf(states ...State) Values {
	out := Values{}
	for _, s := range states {
		for _, k := range s.Keys() {
			out.Add(k, s.Secrets[k])
		}
	}
	return out
}

// Add records value v of key k, unless v is already known.
func (vs Values) Add(k, v string) {
	if _, ok := vs[v]; !ok {
		vs[v] = k
	}
}

// CheckHygiene (I8) checks the files of one image against the secret
// values: no file holds a value of MinScanLen bytes or more in plaintext,
// and no non-empty file other than the config is more open than 0600 or
// sits in a directory more open than 0700 (or than the widened modes of a
// file that already existed). An empty file holds nothing (ToolHive's
// lock files are empty and 0644). Violations name files, keys and
// fingerprints, never values. It does not mutate its arguments.
func (m Model) CheckHygiene(files []ImageFile, rule HygieneRule, vals Values) []Violation {
	var sorted []string
	for _, v := range slices.Sorted(maps.Keys(vals)) {
		if len(v) >= MinScanLen {
			sorted = append(sorted, v)
		}
	}
	var idx *valueIndex // built on first use, for many values only
	var out []Violation
	for _, f := range files {
		if !f.Config && len(f.Data) > 0 {
			maxF, maxD := widen(f.MaxPerm, SecretFilePerm), widen(f.MaxDirPerm, SecretDirPerm)
			if f.Perm.Perm()&^maxF != 0 || f.DirPerm.Perm()&^maxD != 0 {
				out = append(out, violation(I8, "%s has mode %#o in a directory of mode %#o, want at most %#o in %#o",
					f.Path, uint32(f.Perm.Perm()), uint32(f.DirPerm.Perm()), uint32(maxF), uint32(maxD)))
			}
		}
		if rule.Plaintext || f.Unchanged {
			continue
		}
		var found map[string]bool
		if len(sorted) > indexFrom {
			if idx == nil {
				idx = newValueIndex(sorted)
			}
			found = idx.search(f.Data)
		}
		for _, v := range sorted {
			if found != nil && found[v] || found == nil && bytes.Contains(f.Data, []byte(v)) {
				if k := vals[v]; k != "" {
					out = append(out, violation(I8, "%s holds the value of %q (%s) in plaintext", f.Path, k, fingerprint(v)))
				} else {
					out = append(out, violation(I8, "%s holds a secret value (%s) in plaintext", f.Path, fingerprint(v)))
				}
			}
		}
	}
	return out
}

// CheckHygiene is Model{}.CheckHygiene.
func CheckHygiene(files []ImageFile, rule HygieneRule, vals Values) []Violation {
	return Model{}.CheckHygiene(files, rule, vals)
}

// widen returns the allowed bits: base, plus the bits of an existing mode.
func widen(existing, base fs.FileMode) fs.FileMode { return base | existing.Perm() }

// ConfigLike reports whether the file at path p is the config at path
// config, or one of its temp or lock files (a base name containing the
// config's): the files ImageFile.Config marks.
func ConfigLike(p, config string) bool {
	return strings.Contains(path.Base(p), path.Base(config))
}

// indexFrom is the number of values above which the plaintext scan uses
// a valueIndex: below it, one bytes.Contains per value is cheaper than
// building the index (the harness checks millions of small images).
const indexFrom = 32

// valueIndex finds which of many values (each at least MinScanLen bytes)
// occur in a byte string in one pass: a value can only start where its
// first MinScanLen bytes do, so each position is looked up by those bytes
// (after a bitset on the first two), and only the values sharing them are
// compared. A store of thousands of values and a file of megabytes cost
// one pass over the file, not one per value.
type valueIndex struct {
	first [1 << 16 / 64]uint64 // bit b: some value starts with the two bytes b
	by    map[uint64][]string  // the first MinScanLen bytes -> the values starting so
}

func newValueIndex(vals []string) *valueIndex {
	x := &valueIndex{by: make(map[uint64][]string, len(vals))}
	for _, v := range vals {
		b := binary.LittleEndian.Uint16([]byte(v))
		x.first[b/64] |= 1 << (b % 64)
		k := binary.LittleEndian.Uint64([]byte(v))
		x.by[k] = append(x.by[k], v)
	}
	return x
}

// search returns the values that occur in data (bytes.Contains, for all of
// them at once).
func (x *valueIndex) search(data []byte) map[string]bool {
	found := map[string]bool{}
	if len(x.by) == 0 {
		return found
	}
	for i := 0; i+MinScanLen <= len(data); i++ {
		b := binary.LittleEndian.Uint16(data[i:])
		if x.first[b/64]&(1<<(b%64)) == 0 {
			continue
		}
		for _, v := range x.by[binary.LittleEndian.Uint64(data[i:])] {
			if !found[v] && bytes.HasPrefix(data[i:], []byte(v)) {
				found[v] = true
			}
		}
	}
	return found
}
