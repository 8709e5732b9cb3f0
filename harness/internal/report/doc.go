// Package report holds what the two explorers (harness.Explore over an
// afero.Fs, sysexplore.Explore over a real process) report alike, so that
// they cannot disagree on its shape: the figures of one crash mode, and
// the one error of a configuration that cannot run. harness and
// harness/sysexplore re-export both under their own names.
package report
