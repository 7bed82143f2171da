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
	return runLoggedIn(ctx, "", argv, env, log, onLine)
}

// runLoggedIn is runLogged in the working directory dir ("" = this process's).
func runLoggedIn(ctx context.Context, dir string, argv []string, env []string, log io.Writer, onLine func(string)) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = dir
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
		if !strings.HasPrefix(line, "TRACE ") { // uv's per-file progress lines: parsed, not kept
			fmt.Fprintln(log, line)
		}
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
	pctVenvEnd    = 5
	pctPrepareEnd = 80
	pctInstallEnd = 90
)

// progressLog is the RUST_LOG filter that makes uv name each package as it goes: uv_installer
// says which distributions it must unpack, uv_fs when each one's cache entry is done. Only
// these lines are asked for; uv's own summary lines are printed regardless.
const progressLog = "uv_installer=debug,uv_fs=trace"

// uvProgress turns the lines of `uv pip sync` into Progress events.
type uvProgress struct {
	total    int // packages in the lock
	prepare  int // packages uv must unpack (not in its cache yet)
	prepared int
	emit     func(Progress)
}

func newUVProgress(total int, emit func(Progress)) *uvProgress {
	return &uvProgress{total: total, emit: emit}
}

// line handles one line of uv's output.
func (p *uvProgress) line(s string) {
	switch {
	case strings.Contains(s, "Identified uncached distribution: "):
		p.prepare++
	case strings.HasPrefix(s, "TRACE Released lock at ") && strings.Contains(s, "/wheels-v"):
		name := lockedPackage(s)
		if name == "" || p.prepared >= p.prepare {
			return
		}
		p.prepared++
		pct := pctVenvEnd + float64(pctPrepareEnd-pctVenvEnd)*float64(p.prepared)/float64(max(p.prepare, 1))
		p.emit(Progress{Step: StepInstall, Package: name, N: p.prepared, Total: p.prepare, Percent: pct,
			Message: fmt.Sprintf("unpacking %s (%d/%d)", name, p.prepared, p.prepare)})
	case strings.HasPrefix(s, "Prepared "):
		p.emit(Progress{Step: StepInstall, N: p.prepare, Total: p.prepare, Percent: pctPrepareEnd,
			Message: fmt.Sprintf("linking %d packages into the environment", p.total)})
	case strings.HasPrefix(s, "Installed "), strings.HasPrefix(s, "Audited "):
		p.emit(Progress{Step: StepInstall, N: p.total, Total: p.total, Percent: pctInstallEnd, Message: "packages installed"})
	}
}

// lockedPackage is the package of a cache entry's lock path:
// "…/wheels-v7/index/<hash>/<name>/<version>-<tags>.lock".
func lockedPackage(line string) string {
	start := strings.IndexByte(line, '`')
	end := strings.IndexByte(line[start+1:], '`')
	if start < 0 || end < 0 {
		return ""
	}
	p := filepath.ToSlash(line[start+1 : start+1+end])
	if !strings.HasSuffix(p, ".lock") {
		return ""
	}
	parts := strings.Split(p, "/")
	if len(parts) < 2 {
		return ""
	}
	return normalizeName(parts[len(parts)-2])
}
