package supervisor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/shirou/gopsutil/v3/process"
)

// pidRecord identifies a child and what it spawned across runs. A pid alone can be reused; pid,
// create time and command line together name one process. Its descendants are the processes
// created after it that carry Mark in their environment: in its session (Linux) or process group,
// or out of them.
type pidRecord struct {
	PID          int32  `json:"pid"`
	CreateTimeMS int64  `json:"create_time_ms"`
	Cmdline      string `json:"cmdline"`
	PGID         int32  `json:"pgid,omitempty"` // its process group, = PID when it leads one
	SID          int32  `json:"sid,omitempty"`  // its session, = PID when it leads one (Linux)
	Mark         string `json:"mark,omitempty"` // the value of markEnv it was started with
}

// sameProcess reports whether b is the process a names (ignoring what only a records). The
// command line counts when a has one: read the instant after the start, /proc may not show it yet
// (seen under -race), and pid with creation time already tell one process from another.
func (a pidRecord) sameProcess(b pidRecord) bool {
	return a.PID == b.PID && a.CreateTimeMS == b.CreateTimeMS && (a.Cmdline == "" || a.Cmdline == b.Cmdline)
}

// marksTree reports whether what the process spawned is told by its mark: it has one, and a
// session or group (not on Windows, where the service's job object holds its tree).
func (a pidRecord) marksTree() bool { return a.Mark != "" && (a.SID != 0 || a.PGID != 0) }

func pidPath(dir, service string) string { return filepath.Join(dir, service+".pid") }

// identify reads pid's create time and command line as the pid file records them.
func identify(pid int32) (pidRecord, error) {
	p, err := process.NewProcess(pid)
	if err != nil {
		return pidRecord{}, err
	}
	ct, err := p.CreateTime()
	if err != nil {
		return pidRecord{}, err
	}
	cmd, err := p.Cmdline()
	if err != nil {
		return pidRecord{}, err
	}
	return pidRecord{PID: pid, CreateTimeMS: ct, Cmdline: cmd}, nil
}

func writePIDFile(dir, service string, rec pidRecord) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("run directory: %w", err)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	path := pidPath(dir, service)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write pid file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write pid file: %w", err)
	}
	return nil
}

func removePIDFile(dir, service string) {
	if dir != "" {
		_ = os.Remove(pidPath(dir, service))
	}
}

// readPIDFile returns the record in dir for service; ok is false when there is none (a malformed
// file is removed).
func readPIDFile(dir, service string) (rec pidRecord, ok bool, err error) {
	b, err := os.ReadFile(pidPath(dir, service))
	if errors.Is(err, fs.ErrNotExist) {
		return pidRecord{}, false, nil
	}
	if err != nil {
		return pidRecord{}, false, fmt.Errorf("read pid file: %w", err)
	}
	if err := json.Unmarshal(b, &rec); err != nil || rec.PID <= 0 {
		removePIDFile(dir, service)
		return pidRecord{}, false, nil
	}
	return rec, true, nil
}

// leaderIsOurs reports whether the recorded process itself still runs.
func leaderIsOurs(rec pidRecord) bool {
	if !alive(rec.PID) {
		return false
	}
	now, err := identify(rec.PID)
	return err == nil && rec.sameProcess(now)
}

// leftovers returns what still runs of the recorded service: its main process, if it still runs,
// and its descendants. When the recorded pid runs as another process, the pid was reused, which
// the kernel does only once nothing of the old session or group is left: nothing is ours then.
func leftovers(rec pidRecord) []int32 {
	var pids []int32
	if alive(rec.PID) {
		if !leaderIsOurs(rec) {
			return nil
		}
		pids = append(pids, rec.PID)
	}
	return append(pids, descendants(rec)...)
}

// descendants are the processes, other than rec's own, that are ours: created after rec and
// carrying its mark, in its session or group or out of it (a backend the app started with
// start_new_session=True, setsid or a double fork). A record without a mark (an older pid file)
// names no descendants.
func descendants(rec pidRecord) []int32 {
	if !rec.marksTree() {
		return nil
	}
	all, err := process.Pids()
	if err != nil {
		return nil
	}
	self := int32(os.Getpid())
	var out []int32
	for _, pid := range all {
		if pid == rec.PID || pid == self {
			continue
		}
		if isDescendant(rec, pid) {
			out = append(out, pid)
		}
	}
	return out
}

// isDescendant checks one process against rec: created no earlier, and started with rec's mark
// in its environment. The mark is unique to that start (newMark), and a process has it only by
// inheriting it from the service: a stranger in a reused session or group id never has it.
func isDescendant(rec pidRecord, pid int32) bool {
	p, err := process.NewProcess(pid)
	if err != nil {
		return false
	}
	if ct, err := p.CreateTime(); err != nil || ct < rec.CreateTimeMS {
		return false
	}
	env, err := p.Environ()
	return err == nil && slices.Contains(env, markEnv+"="+rec.Mark)
}

// alive reports whether pid runs (a zombie does not count).
func alive(pid int32) bool {
	p, err := process.NewProcess(pid)
	if err != nil {
		return false
	}
	st, err := p.Status()
	if err != nil {
		return false
	}
	return !slices.Contains(st, process.Zombie)
}

// reap stops what is left of a service from an earlier run (leftovers): the stop signal, the
// grace period, then a kill. Each process is checked again right before each signal, so a pid
// that was reused meanwhile is never touched. A leftover is not our child, so there is nothing
// to wait on but its disappearance.
func reap(ctx context.Context, rec pidRecord, pids []int32, grace time.Duration) error {
	signal := func(kill bool) error {
		var errs []error
		for _, pid := range pids {
			switch {
			case pid == rec.PID && leaderIsOurs(rec):
				errs = append(errs, signalTree(int(pid), kill))
			case pid != rec.PID && isDescendant(rec, pid):
				errs = append(errs, signalOne(int(pid), kill))
			}
		}
		return errors.Join(errs...)
	}
	if err := signal(false); err != nil {
		return fmt.Errorf("stop leftover of pid %d: %w", rec.PID, err)
	}
	if waitAllGone(ctx, pids, grace) {
		return nil
	}
	if err := signal(true); err != nil {
		return fmt.Errorf("kill leftover of pid %d: %w", rec.PID, err)
	}
	if waitAllGone(ctx, pids, 5*time.Second) {
		return nil
	}
	return fmt.Errorf("leftover of pid %d did not exit (pids %v)", rec.PID, slices.DeleteFunc(pids, func(p int32) bool { return !alive(p) }))
}

// sweep kills the descendants of a service whose main process ended (they left its process
// group, so the group's kill missed them).
func sweep(rec pidRecord) {
	for _, pid := range descendants(rec) {
		_ = signalOne(int(pid), true)
	}
}

func waitAllGone(ctx context.Context, pids []int32, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for _, pid := range pids {
		if !waitGone(ctx, pid, time.Until(deadline)) {
			return false
		}
	}
	return true
}

// waitGone watches for pid to disappear, checking often at first and less later, up to d.
func waitGone(ctx context.Context, pid int32, d time.Duration) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	step := 5 * time.Millisecond
	for {
		if !alive(pid) {
			return true
		}
		t := time.NewTimer(step)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-deadline.C:
			t.Stop()
			return !alive(pid)
		case <-t.C:
		}
		step = min(step*2, 100*time.Millisecond)
	}
}
