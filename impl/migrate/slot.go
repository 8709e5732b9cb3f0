package migrate

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scopemig/scopemig/impl/secrets"
)

// ErrAmbiguousKey reports an original (legacy) key given to
// RestoreQuarantined or DropQuarantined whose values sit in several
// quarantine slots: the caller must name one slot.
var ErrAmbiguousKey = errors.New("several quarantined values")

// resolveSlot returns the quarantine key that key names in m: key itself
// when it is in the quarantine scope; otherwise key is taken as an original
// key (the ORIGINAL column of `scopemig legacy list`) and the one slot that
// holds a value of it is returned. No slot fails with ErrNotQuarantineKey,
// several with ErrAmbiguousKey listing each slot with its number and the
// fingerprint of its value (never the value).
func resolveSlot(m map[string]string, scheme secrets.Scheme, key string, fp secrets.Fingerprinter) (string, error) {
	if isQuarantine(scheme, key) {
		return key, nil
	}
	type slot struct {
		key string
		n   int
	}
	var slots []slot
	for q := range m {
		if orig, n, ok := scheme.ParseQuarantineKey(q); ok && orig == key {
			slots = append(slots, slot{q, n})
		}
	}
	switch len(slots) {
	case 0:
		return "", fmt.Errorf("%w: %q is neither a quarantine key nor the original key of a quarantined value (quarantine keys start with %q; see `scopemig legacy list`)",
			ErrNotQuarantineKey, key, scheme.ScopedKey(scheme.Quarantine, ""))
	case 1:
		return slots[0].key, nil
	}
	slices.SortFunc(slots, func(a, b slot) int { return cmp.Compare(a.n, b.n) })
	names := make([]string, len(slots))
	for i, s := range slots {
		names[i] = fmt.Sprintf("%q (slot %d, %s)", s.key, s.n, fp.Of(m[s.key]))
	}
	return "", fmt.Errorf("%w of %q, %d slots: %s; name the one you mean (its KEY in `scopemig legacy list`)",
		ErrAmbiguousKey, key, len(slots), strings.Join(names, ", "))
}
