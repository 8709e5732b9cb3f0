package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress prints soak progress: one rewritten line on a terminal, plain
// log lines (at most every 10 s) otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	mu    sync.Mutex // guards last, wrote
	last  time.Time
	wrote bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) line(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", s)
		p.wrote = true
		return
	}
	if time.Since(p.last) < 10*time.Second {
		return
	}
	p.last = time.Now()
	fmt.Fprintln(p.w, s)
}

// done ends the progress line on a terminal.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.wrote {
		fmt.Fprintln(p.w)
	}
}
