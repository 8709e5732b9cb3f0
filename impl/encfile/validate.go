package encfile

import (
	"fmt"
	"unicode/utf8"

	"github.com/scopemig/scopemig/impl/secrets"
)

// validName rejects names the store cannot hold: empty (as ToolHive does)
// or invalid UTF-8 (JSON would silently rewrite them).
func validName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty name", secrets.ErrInvalidName)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("%w: name is not valid UTF-8", secrets.ErrInvalidName)
	}
	return nil
}

// validValue rejects values JSON cannot store unchanged.
func validValue(value string) error {
	if !utf8.ValidString(value) {
		return fmt.Errorf("%w: value %s is not valid UTF-8", ErrInvalidValue, secrets.Fingerprint(value))
	}
	return nil
}

// validContent checks a whole content before it is written.
func validContent(m map[string]string) error {
	for k, v := range m {
		if err := validName(k); err != nil {
			return err
		}
		if err := validValue(v); err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
	}
	return nil
}
