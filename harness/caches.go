package harness

import (
	"reflect"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

// caches are the decode caches one env lends, through the product's own
// options, to the built-in targets' stores (encfile.WithCache) and to the
// config flag of the project's Runner (config.Flag.Cache): a restarted
// process decodes each distinct file content once per env instead of once
// per Open. They record only bytes a store or flag actually decoded, so a
// file the simulation wrote is decoded by the first process that reads it,
// as after a real restart. A nil *caches (Config.NoCache) lends none:
// every read decodes.
type caches struct {
	encOpt encfile.Option // encfile.WithCache of the encfile cache, built once
	cfg    *config.Cache
}

// newCaches returns fresh caches, or nil when off.
func newCaches(off bool) *caches {
	if off {
		return nil
	}
	return &caches{encOpt: encfile.WithCache(encfile.NewCache(0)), cfg: config.NewCache(0)}
}

// configCache is c's config cache (nil for none).
func (c *caches) configCache() *config.Cache {
	if c == nil {
		return nil
	}
	return c.cfg
}

// cachedOpen is how a built-in target opens a store with an env's caches
// (set by lendCaches; see Target.opener).
type cachedOpen func(fsys afero.Fs, c *caches) (secrets.Provider, error)

// lendCaches records open as the way envs that lend their caches open t
// (Target.opener). t.Open must be t's own function literal that calls
// open without caches: its code pointer is how opener recognises it.
func (t Target) lendCaches(open cachedOpen) Target {
	t.cachedOpen = open
	t.openCode = reflect.ValueOf(t.Open).Pointer()
	return t
}

// opener returns how an env with caches c opens t's processes: a built-in
// target's store gets c, unless Open was replaced (a copy of a built-in
// target with another Open, as the mutants make, opens with that Open and
// no cache). A func's code pointer names its function literal, so the
// built-in target's Open (a literal of its own, see lendCaches) is
// recognised in any copy of the target, and any other Open is not.
func (t Target) opener(c *caches) func(afero.Fs) (secrets.Provider, error) {
	if t.cachedOpen == nil || t.Open == nil || reflect.ValueOf(t.Open).Pointer() != t.openCode {
		return t.Open
	}
	open := t.cachedOpen
	return func(fsys afero.Fs) (secrets.Provider, error) { return open(fsys, c) }
}
