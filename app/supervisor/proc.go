package supervisor

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v3/process"
)

// drainTimeout bounds reading a service's output after it exited; a process outside the group
// that inherited the pipes cannot hold the supervisor up longer than this.
const drainTimeout = 2 * time.Second

// markEnv is set in every service's environment to a value unique to that start; the processes
// it spawns inherit it, which tells them from a stranger that happens to share a reused session
// or group id.
const markEnv = "DESKLIT_SUPERVISED"

func newMark(service string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return service + "-" + hex.EncodeToString(b)
}

// proc is one run of a service's process.
type proc struct {
	cmd     *exec.Cmd
	grp     *group
	pid     int
	started time.Time
	exited  chan struct{} // closed once the process is reaped, its group swept and its output read
	rec     *pidRecord    // the process as its pid file records it; nil when it could not be read

	mu sync.Mutex // guards ps, which keeps the CPU baseline between samples
	ps *process.Process
}

// launch starts the service's process with its output piped into v.out. A goroutine waits for
// it, kills what is left of its group, drains its output and closes exited.
func (v *service) launch() (*proc, error) {
	mark := newMark(v.spec.Name)
	cmd, outR, errR, err := startPiped(v.spec, mark)
	if err != nil {
		return nil, err
	}
	grp, err := newGroup(cmd)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		outR.Close()
		errR.Close()
		return nil, err
	}
	p := &proc{cmd: cmd, grp: grp, pid: cmd.Process.Pid, started: v.sup.clock.Now(), exited: make(chan struct{})}

	var readers sync.WaitGroup
	readers.Add(2)
	go func() { defer readers.Done(); v.out.copyLines(outR, "stdout") }()
	go func() { defer readers.Done(); v.out.copyLines(errR, "stderr") }()
	// The pid file is written before the process can be reaped, so it names the live process.
	if ps, err := process.NewProcess(int32(p.pid)); err == nil {
		_, _ = ps.Percent(0) // the baseline for the first Snapshot
		p.ps = ps
	}
	rec, recErr := v.recordPID(p.pid, mark)
	if recErr == nil {
		p.rec = &rec
	}
	go func() {
		_ = cmd.Wait()
		// Nothing of a service outlives its main process: its group, and what left the group
		// but not the session.
		_ = grp.kill()
		if recErr == nil {
			sweep(rec)
		}
		if !waitTimeout(&readers, drainTimeout) {
			outR.Close()
			errR.Close()
			readers.Wait()
		}
		outR.Close()
		errR.Close()
		grp.close()
		removePIDFile(v.sup.opts.RunDir, v.spec.Name)
		close(p.exited)
	}()
	return p, nil
}

// startPiped starts sp's command, marked with mark, its stdout and stderr on the pipes returned.
func startPiped(sp Spec, mark string) (cmd *exec.Cmd, outR, errR *os.File, err error) {
	cmd = exec.Command(sp.Argv[0], sp.Argv[1:]...)
	env := sp.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(env[:len(env):len(env)], markEnv+"="+mark)
	cmd.Dir = sp.Dir
	cmd.SysProcAttr = sysProcAttr()
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, nil, nil, fmt.Errorf("pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	err = startCmd(cmd)
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return nil, nil, nil, err
	}
	return cmd, outR, errR, nil
}

// recordPID identifies the process pid (its start time, group and session, the mark) and writes
// it to the service's pid file, so that a leftover of this run is recognised at the next start.
func (v *service) recordPID(pid int, mark string) (pidRecord, error) {
	rec, err := identify(int32(pid))
	if err == nil {
		rec.PGID, rec.SID, _ = groupOf(rec.PID)
		rec.Mark = mark
	}
	if dir := v.sup.opts.RunDir; dir != "" {
		werr := err
		if werr == nil {
			werr = writePIDFile(dir, v.spec.Name, rec)
		}
		if werr != nil {
			v.sup.log.Warn("no pid file; a leftover of this run would not be recognised", "service", v.spec.Name, "err", werr)
		}
	}
	return rec, err
}

// exitStatus describes how the process ended; valid once exited is closed.
func (p *proc) exitStatus() string {
	if p.cmd.ProcessState == nil {
		return "unknown exit status"
	}
	return p.cmd.ProcessState.String()
}

// sample reads CPU % since the previous sample and the resident set size.
func (p *proc) sample() (cpu float64, rss uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ps == nil {
		return 0, 0
	}
	cpu, _ = p.ps.Percent(0)
	if m, err := p.ps.MemoryInfo(); err == nil {
		rss = m.RSS
	}
	return cpu, rss
}
