package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// interruptedNotice is what a writing command says when SIGINT or SIGTERM
// ends it: what the store holds and whether re-running is safe. It is
// true at every instant of the command (the crash tests of every write:
// TestQuarantineOpsCrashSweep, the real-process kill tests), so the
// handler may end the process wherever it is, as a crash would.
const (
	migrateInterrupted = "the store holds its old or its new content, never a mix, and the flag is set only after the data; re-running migrate is safe"
	legacyInterrupted  = "the store holds its old or its new content, never a mix, and no value is lost; see scopemig legacy list for which before running it again"
)

// exitOnInterrupt makes SIGINT and SIGTERM, while a writing command runs,
// print one line on stderr — "scopemig: <command> interrupted (SIGINT):
// <notice>" — and end the process with exit status 1 (the default action
// would end it silently). The process ends at once, as after a crash: every
// write is one atomic replace, so there is nothing to finish or undo; a
// temp file may be left, which the next run removes. stop restores the
// default behaviour.
func exitOnInterrupt(stderr io.Writer, command, notice string) (stop func()) {
	sigs := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-sigs:
			fmt.Fprintf(stderr, "scopemig: %s interrupted (%s): %s\n", command, signalName(sig), notice)
			os.Exit(1)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}

// signalName is SIGINT or SIGTERM (the signals exitOnInterrupt handles).
func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}
