package supervisor

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// maxLine bounds one log line; longer output is split.
const maxLine = 64 << 10

// output is a service's one log writer: every line goes, time-stamped, to the ring buffer, the
// rotated log file and the log subscribers, in that order and under one lock.
type output struct {
	name    string
	clock   Clock
	publish func(LogLine)

	mu   sync.Mutex
	ring []LogLine
	next int
	full bool
	file *logFile
}

func newOutput(name string, ringSize int, file *logFile, clock Clock, publish func(LogLine)) *output {
	return &output{name: name, clock: clock, publish: publish, ring: make([]LogLine, ringSize), file: file}
}

func (o *output) line(stream, text string) {
	l := LogLine{Service: o.name, Time: o.clock.Now(), Stream: stream, Text: text}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ring[o.next] = l
	o.next = (o.next + 1) % len(o.ring)
	if o.next == 0 {
		o.full = true
	}
	if o.file != nil {
		o.file.write(l)
	}
	if o.publish != nil {
		o.publish(l)
	}
}

// lines returns the ring buffer's content, oldest first.
func (o *output) lines() []LogLine {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.full {
		return append([]LogLine(nil), o.ring[:o.next]...)
	}
	out := make([]LogLine, 0, len(o.ring))
	out = append(out, o.ring[o.next:]...)
	return append(out, o.ring[:o.next]...)
}

// tail formats the last n lines for an error message.
func (o *output) tail(n int) string {
	all := o.lines()
	if len(all) > n {
		all = all[len(all)-n:]
	}
	if len(all) == 0 {
		return "(no output)"
	}
	var b strings.Builder
	for i, l := range all {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "  %s", l.Text)
	}
	return b.String()
}

func (o *output) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.file != nil {
		o.file.close()
		o.file = nil
	}
}

// copyLines reads r line by line into o until EOF or a read error (the pipe closed).
func (o *output) copyLines(r io.Reader, stream string) {
	br := bufio.NewReaderSize(r, maxLine)
	for {
		b, err := br.ReadSlice('\n')
		if len(b) > 0 {
			o.line(stream, stripANSI(strings.TrimRight(string(b), "\r\n")))
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// logFile appends time-stamped lines to LogDir/<service>.log and rotates it to .1 beyond max.
type logFile struct {
	path string
	max  int64
	f    *os.File
	size int64
	err  error // the first write error; later writes are skipped (the ring still has the lines)
}

func openLogFile(dir, name string, max int64) (*logFile, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	lf := &logFile{path: filepath.Join(dir, name+".log"), max: max}
	if err := lf.open(); err != nil {
		return nil, err
	}
	return lf, nil
}

func (lf *logFile) open() error {
	f, err := os.OpenFile(lf.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("log file: %w", err)
	}
	lf.f, lf.size = f, st.Size()
	return nil
}

func (lf *logFile) write(l LogLine) {
	if lf.f == nil || lf.err != nil {
		return
	}
	rec := l.Time.Format("2006-01-02T15:04:05.000Z07:00") + " " + l.Stream + " " + l.Text + "\n"
	if lf.size > 0 && lf.size+int64(len(rec)) > lf.max {
		lf.f.Close()
		lf.f = nil
		if err := os.Rename(lf.path, lf.path+".1"); err != nil {
			lf.err = fmt.Errorf("rotate log file: %w", err)
			return
		}
		if err := lf.open(); err != nil {
			lf.err = err
			return
		}
	}
	n, err := lf.f.WriteString(rec)
	lf.size += int64(n)
	if err != nil {
		lf.err = fmt.Errorf("write log file: %w", err)
	}
}

func (lf *logFile) close() {
	if lf.f != nil {
		lf.f.Close()
		lf.f = nil
	}
}

// waitTimeout waits for wg, giving up after d; it reports whether wg finished.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// ansiRE matches terminal control sequences: colours and cursor moves (CSI, ESC [ … final byte)
// and titles and links (OSC, ESC ] … BEL or ESC \). Flask, uvicorn and rich colour their
// output; the log view, the log files and the messages that quote a service's last lines want
// the text.
var ansiRE = regexp.MustCompile(`\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]`)

func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	return ansiRE.ReplaceAllString(s, "")
}
