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

// pidRecord identifies a child across runs. A pid alone can be reused; pid, create time and
// command line together name one process.
type pidRecord struct {
	PID          int32  `json:"pid"`
	CreateTimeMS int64  `json:"create_time_ms"`
	Cmdline      string `json:"cmdline"`
}

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

// leftover returns the live process recorded in dir for service, or ok=false. A pid file whose
// process is gone or is some other process now (pid reused) is stale and removed.
func leftover(dir, service string) (rec pidRecord, ok bool, err error) {
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
	if !alive(rec.PID) {
		removePIDFile(dir, service)
		return pidRecord{}, false, nil
	}
	now, err := identify(rec.PID)
	if err != nil || now != rec {
		removePIDFile(dir, service)
		return pidRecord{}, false, nil
	}
	return rec, true, nil
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

// reap stops a leftover of an earlier run: stop signal to its group, grace, then kill. A
// leftover is not our child, so there is nothing to wait on but its disappearance.
func reap(ctx context.Context, rec pidRecord, grace time.Duration) error {
	if err := signalTree(int(rec.PID), false); err != nil {
		return fmt.Errorf("stop leftover pid %d: %w", rec.PID, err)
	}
	if waitGone(ctx, rec.PID, grace) {
		return nil
	}
	if err := signalTree(int(rec.PID), true); err != nil {
		return fmt.Errorf("kill leftover pid %d: %w", rec.PID, err)
	}
	if waitGone(ctx, rec.PID, 5*time.Second) {
		return nil
	}
	return fmt.Errorf("leftover pid %d did not exit", rec.PID)
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
