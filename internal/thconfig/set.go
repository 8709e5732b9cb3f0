package thconfig

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// ErrNoStringField reports a SetString key that is not a top-level string
// field of Config.
var ErrNoStringField = errors.New("thconfig: not a top-level string field of ToolHive's Config")

// SetString returns the update that sets the top-level string field whose
// yaml name is key (registry_url, say) to value.
func SetString(key, value string) func(*Config) error {
	return func(c *Config) error {
		v := reflect.ValueOf(c).Elem()
		t := v.Type()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			if name == key && t.Field(i).Type.Kind() == reflect.String {
				v.Field(i).SetString(value)
				return nil
			}
		}
		return fmt.Errorf("%w: %q", ErrNoStringField, key)
	}
}
