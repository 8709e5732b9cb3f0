package harness

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/scopemig/scopemig/harness/internal/linearize"
	"github.com/scopemig/scopemig/harness/internal/sched"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// The concurrency scenarios (concurrencyScenarios lists them).
const (
	scenarioTwoRunners = "two-runners" // two migrations at once, and a reader
	scenarioRefresh    = "refresh"     // a migration while a scoped writer refreshes the keys being migrated
	scenarioOldBinary  = "old-binary"  // a migration while an old binary writes and deletes legacy keys
	scenarioUser       = "user"        // a migration while a user writes, reads and deletes user keys
	scenarioCrash      = "crash"       // a writer crashes mid-way, the migration crashes and restarts, others go on
	scenarioToolHive   = "toolhive"    // a migration while ToolHive's own processes update its config and rotate secrets
)

// concurrencyScenarios returns the scenario names, in the order Verify
// runs them.
func concurrencyScenarios() []string {
	return []string{scenarioTwoRunners, scenarioRefresh, scenarioOldBinary, scenarioUser, scenarioCrash, scenarioToolHive}
}

// cop is one provider call of a client process.
type cop struct {
	Kind  linearize.Kind // linearize.Get, linearize.Set, linearize.Delete, or linearize.ConfigSet (a config writer's)
	Key   string
	Value string
}

// worker is one simulated process of a case.
type worker struct {
	Name     string
	Migrator bool  // runs the target's migration (as one recorded operation)
	Ops      []cop // client calls, in order (not for migrators)
	CrashAt  int   // crash (process mode) at this mutating fs op of the first process; -1: never
	// ConfigWriter: ToolHive's config writer (UpdateConfigAtPath); its Ops
	// are linearize.ConfigSet.
	ConfigWriter bool
	// ToolHive: ToolHive's secrets writer (its EncryptedManager, under
	// "<store>.lock" only) when the target's store is ToolHive's.
	ToolHive bool
}

// ccase is one generated concurrency case.
type ccase struct {
	Scenario string
	Seed     uint64
	S0       model.State
	Workers  []worker
}

// toolhiveFields are config fields ToolHive's config writer sets (both are
// fields of ToolHive's Config).
var toolhiveFields = [...]string{"registry_url", "registry_api_url"}

// legacyPool are the legacy keys the scenarios use (one per mapping kind).
var legacyPool = [...]string{"BEARER_TOKEN_api", "OAUTH_REFRESH_TOKEN_gh", "REGISTRY_OAUTH_hub"}

func targetOf(k string) string {
	mv := model.Legacy(model.State{Secrets: map[string]string{k: "x"}})
	if len(mv) == 0 {
		return k
	}
	return mv[0].Target
}

func streamOf(name string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return h.Sum64()
}

// genCase builds the case of scenario sc for seed: a small store with one
// or two legacy keys and two or three processes.
func genCase(sc string, seed uint64) (ccase, error) {
	if !slices.Contains(concurrencyScenarios(), sc) {
		return ccase{}, fmt.Errorf("%w: unknown scenario %q", sched.ErrBadSchedule, sc)
	}
	rng := rand.New(rand.NewPCG(seed, streamOf(sc)))
	c := ccase{Scenario: sc, Seed: seed, S0: model.State{Secrets: map[string]string{"user1": "u-0"}}}
	legacy := legacyPool[:1+rng.IntN(2)]
	for _, k := range legacy {
		c.S0.Secrets[k] = "old-" + k
		if sc != scenarioRefresh && rng.IntN(4) == 0 {
			c.S0.Secrets[targetOf(k)] = "pre-" + k
		}
	}
	mig := worker{Name: "migrate", Migrator: true, CrashAt: -1}
	pick := func(keys []string) string { return keys[rng.IntN(len(keys))] }
	n := func() int { return 2 + rng.IntN(2) }
	targets := make([]string, len(legacy))
	for i, k := range legacy {
		targets[i] = targetOf(k)
	}
	switch sc {
	case scenarioTwoRunners:
		reader := worker{Name: "reader", CrashAt: -1}
		for i := 0; i < n(); i++ {
			reader.Ops = append(reader.Ops, cop{Kind: linearize.Get, Key: pick(append(targets, legacy...))})
		}
		mig2 := mig
		mig2.Name = "migrate2"
		c.Workers = []worker{mig, mig2, reader}
	case scenarioRefresh:
		w := worker{Name: "scoped-writer", CrashAt: -1}
		for i := 0; i < n(); i++ {
			w.Ops = append(w.Ops, cop{Kind: linearize.Set, Key: pick(targets), Value: fmt.Sprintf("refresh-%d", i+1)})
		}
		c.Workers = []worker{mig, w}
	case scenarioOldBinary:
		w := worker{Name: "old-binary", CrashAt: -1}
		for i := 0; i < n(); i++ {
			kind := []linearize.Kind{linearize.Set, linearize.Set, linearize.Delete, linearize.Get}[rng.IntN(4)]
			w.Ops = append(w.Ops, cop{Kind: kind, Key: pick(legacyPool[:]), Value: fmt.Sprintf("legacy-%d", i+1)})
		}
		c.Workers = []worker{mig, w}
	case scenarioUser:
		w := worker{Name: "user", CrashAt: -1}
		for i := 0; i < n()+1; i++ {
			kind := []linearize.Kind{linearize.Set, linearize.Delete, linearize.Get}[rng.IntN(3)]
			w.Ops = append(w.Ops, cop{Kind: kind, Key: pick([]string{"user1", "user2"}), Value: fmt.Sprintf("user-%d", i+1)})
		}
		c.Workers = []worker{mig, w}
	case scenarioCrash:
		w := worker{Name: "crashing-writer", CrashAt: rng.IntN(24)}
		for i := 0; i < n(); i++ {
			w.Ops = append(w.Ops, cop{Kind: linearize.Set, Key: pick(append(targets, "user2")), Value: fmt.Sprintf("crash-%d", i+1)})
		}
		r := worker{Name: "reader", CrashAt: -1}
		for i := 0; i < 2; i++ {
			r.Ops = append(r.Ops, cop{Kind: linearize.Get, Key: pick(targets)})
		}
		if rng.IntN(2) == 0 {
			mig.CrashAt = rng.IntN(16)
		}
		c.Workers = []worker{mig, w, r}
	case scenarioToolHive:
		cw := worker{Name: "thv-config", CrashAt: -1, ConfigWriter: true}
		for i := 0; i < n()+1; i++ {
			cw.Ops = append(cw.Ops, cop{Kind: linearize.ConfigSet, Key: pick(toolhiveFields[:]), Value: fmt.Sprintf("thv-%d", i+1)})
		}
		sw := worker{Name: "thv-secrets", CrashAt: -1, ToolHive: true}
		for i := 0; i < n(); i++ {
			kind := []linearize.Kind{linearize.Set, linearize.Set, linearize.Get}[rng.IntN(3)]
			sw.Ops = append(sw.Ops, cop{Kind: kind, Key: pick(targets), Value: fmt.Sprintf("rotated-%d", i+1)})
		}
		c.Workers = []worker{mig, cw, sw}
	}
	c.S0.Config = fixture.GenConfig(fixture.RandChooser{R: rng})
	for i := range c.Workers {
		c.Workers[i].Ops = slices.Clip(c.Workers[i].Ops)
	}
	return c, nil
}

// opIndex lists the client calls of a case as (worker, op) pairs: the
// numbering a schedule's "drop" list uses.
func (c ccase) opIndex() [][2]int {
	var out [][2]int
	for w, wk := range c.Workers {
		for i := range wk.Ops {
			out = append(out, [2]int{w, i})
		}
	}
	return out
}

// without returns c with the client calls numbered in drop removed.
func (c ccase) without(drop []int) ccase {
	idx := c.opIndex()
	gone := map[[2]int]bool{}
	for _, d := range drop {
		if d >= 0 && d < len(idx) {
			gone[idx[d]] = true
		}
	}
	out := c
	out.Workers = make([]worker, len(c.Workers))
	for w, wk := range c.Workers {
		nw := wk
		nw.Ops = nil
		for i, op := range wk.Ops {
			if !gone[[2]int{w, i}] {
				nw.Ops = append(nw.Ops, op)
			}
		}
		out.Workers[w] = nw
	}
	return out
}

// describe renders the case, one line per process, values as fingerprints.
func (c ccase) describe() []string {
	out := []string{linearize.DescribeState(linearize.EncodeState(c.S0))}
	for i, w := range c.Workers {
		var parts []string
		if w.Migrator {
			parts = append(parts, "migrate")
		}
		for _, op := range w.Ops {
			d := linearize.DescribeOp(linearize.In(op), linearize.Out{Unknown: true})
			parts = append(parts, strings.TrimSuffix(d, " -> ?"))
		}
		crash := ""
		if w.CrashAt >= 0 {
			crash = fmt.Sprintf(" (crashes at fs op %d)", w.CrashAt)
		}
		out = append(out, fmt.Sprintf("p%d %s%s: %s", i, w.Name, crash, strings.Join(parts, "; ")))
	}
	return out
}
