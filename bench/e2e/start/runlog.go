package main

import (
	"bufio"
	"io"
	"strings"
	"sync"
	"time"
)

// runLog reads the output of `desklit run`: when Streamlit started, when all three services were
// Ready, and the last lines (without the launch secret).
type runLog struct {
	t0      time.Time
	mu      sync.Mutex
	ready   map[string]bool
	readyAt time.Duration
	spawnAt time.Duration // "streamlit Starting": what the shell does before it spawns Python
	tail    []string
}

func (l *runLog) read(out io.Reader) {
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		l.mu.Lock()
		if len(f) >= 3 && f[1] == "streamlit" && f[2] == "Starting" && l.spawnAt == 0 {
			l.spawnAt = time.Since(l.t0)
		}
		if len(f) >= 3 && f[2] == "Ready" && !l.ready[f[1]] {
			l.ready[f[1]] = true
			if len(l.ready) == 3 {
				l.readyAt = time.Since(l.t0)
			}
		}
		if i := strings.Index(line, "desklit_token="); i >= 0 {
			line = line[:i] + "desklit_token=…" // never keep the launch secret
		}
		l.tail = append(l.tail, line)
		if len(l.tail) > 20 {
			l.tail = l.tail[1:]
		}
		l.mu.Unlock()
	}
	_, _ = io.Copy(io.Discard, out)
}

// times are when all three were Ready and when Streamlit started (zero: not yet).
func (l *runLog) times() (ready, spawn time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.readyAt, l.spawnAt
}

func (l *runLog) lastLines() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.tail, "\n")
}
