package main

import (
	"strconv"
	"strings"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore"
)

// execReplay is the replay line of a violation of `explore --exec`: the
// same command exploring the violation's crash point only (its mode,
// point, seed, persistence model and image are the replay data the
// explorer reports).
func execReplay(c sysexplore.Config, v sysexplore.Violation) string {
	var b strings.Builder
	b.WriteString("scopemig explore --exec --from " + shellQuote(c.From))
	b.WriteString(" --mode " + v.Mode.String())
	if v.Point > 0 {
		b.WriteString(" --point " + strconv.Itoa(v.Point))
	}
	if v.Mode == faults.PowerPartial {
		b.WriteString(" --seed " + strconv.FormatUint(v.Seed, 10) + " --subsets 1")
	}
	if v.FS != "" && v.FS != sysexplore.Strict {
		b.WriteString(" --fs " + string(v.FS))
	}
	b.WriteString(" --on-conflict " + c.Policy.String())
	if v.Image != "" {
		b.WriteString(" --image " + v.Image)
	}
	if c.Layout.SecretsFile != "" {
		b.WriteString(" --secrets-name " + shellQuote(c.Layout.SecretsFile))
	}
	if c.Layout.ConfigFile != "" {
		b.WriteString(" --config-name " + shellQuote(c.Layout.ConfigFile))
	}
	if c.Dump != nil {
		b.WriteString(" --dump " + shellQuote(strings.Join(c.Dump, " ")))
	}
	if c.Plaintext {
		b.WriteString(" --plaintext")
	}
	b.WriteString(" --")
	for _, a := range c.Argv {
		b.WriteString(" " + shellQuote(a))
	}
	return b.String()
}
