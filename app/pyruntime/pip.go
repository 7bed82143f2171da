package pyruntime

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// runLogged runs argv with stdout and stderr merged, copies every line to log and hands it to
// onLine. A cancelled ctx kills the process group.
func runLogged(ctx context.Context, argv []string, env []string, log io.Writer, onLine func(string)) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	ownGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	fmt.Fprintf(log, "$ %s\n", strings.Join(argv, " "))
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return fmt.Errorf("start %s: %w", filepath.Base(argv[0]), err)
	}
	w.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(log, line)
		if onLine != nil {
			onLine(line)
		}
	}
	r.Close()
	err = cmd.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Percent ranges of the build steps.
const (
	pctVenvEnd    = 10
	pctCollectEnd = 50
	pctInstallEnd = 90
)

// pipProgress turns pip's output lines into Progress events.
type pipProgress struct {
	total int
	seen  map[string]bool
	emit  func(Progress)
}

func newPipProgress(total int, emit func(Progress)) *pipProgress {
	return &pipProgress{total: total, seen: map[string]bool{}, emit: emit}
}

func (p *pipProgress) collectPercent() float64 {
	if p.total == 0 {
		return pctVenvEnd
	}
	n := min(len(p.seen), p.total)
	return pctVenvEnd + float64(pctCollectEnd-pctVenvEnd)*float64(n)/float64(p.total)
}

// line handles one line of `pip install` output.
func (p *pipProgress) line(s string) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "Collecting "), strings.HasPrefix(s, "Processing "):
		name := packageOf(s)
		if name == "" || p.seen[name] {
			return
		}
		p.seen[name] = true
		n := len(p.seen)
		total := max(p.total, n)
		p.emit(Progress{Step: StepInstall, Package: name, N: n, Total: total, Percent: p.collectPercent(),
			Message: fmt.Sprintf("collecting %s (%d/%d)", name, n, total)})
	case strings.HasPrefix(s, "Installing collected packages:"):
		n := len(strings.Split(strings.TrimPrefix(s, "Installing collected packages:"), ","))
		p.emit(Progress{Step: StepInstall, N: len(p.seen), Total: max(p.total, len(p.seen)), Percent: pctCollectEnd,
			Message: fmt.Sprintf("installing %d packages", n)})
	case strings.HasPrefix(s, "Successfully installed"):
		p.emit(Progress{Step: StepInstall, N: max(p.total, len(p.seen)), Total: max(p.total, len(p.seen)), Percent: pctInstallEnd,
			Message: "packages installed"})
	}
}

// packageOf extracts the package name from "Collecting foo==1.0 (from ...)" or
// "Processing /wheelhouse/foo-1.0-py3-none-any.whl (from ...)".
func packageOf(s string) string {
	if rest, ok := strings.CutPrefix(s, "Collecting "); ok {
		f := strings.Fields(rest)
		if len(f) == 0 {
			return ""
		}
		name := f[0]
		if i := strings.IndexAny(name, "=<>!~[;@ "); i >= 0 {
			name = name[:i]
		}
		return normalizeName(name)
	}
	rest := strings.TrimPrefix(s, "Processing ")
	if i := strings.Index(rest, " (from"); i >= 0 {
		rest = rest[:i]
	}
	base := filepath.Base(filepath.FromSlash(strings.TrimSpace(rest)))
	base = strings.TrimPrefix(base, "./")
	if i := strings.IndexByte(base, '-'); i > 0 {
		return normalizeName(base[:i])
	}
	return ""
}
