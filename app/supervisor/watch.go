package supervisor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shirou/gopsutil/v3/process"
)

// watcher runs Spec.Watch's checks while a service is Ready, on one timer: a health probe and a
// CPU sample per Interval. It only reports; the run goroutine changes the state.
type watcher struct {
	unhealthy chan string    // one value: why the service is considered hung
	cpu       chan cpuChange // Status.CPUHigh turned on or off
	cancel    context.CancelFunc
	done      chan struct{}
}

type cpuChange struct {
	high    bool
	percent float64
}

// watch starts the checks of p; stop them with stop.
func (v *service) watch(p *proc) *watcher {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{unhealthy: make(chan string, 1), cpu: make(chan cpuChange), cancel: cancel, done: make(chan struct{})}
	if v.spec.Watch.Interval < 0 {
		close(w.done)
		return w
	}
	go func() {
		defer close(w.done)
		v.watchLoop(ctx, p, w)
	}()
	return w
}

// stop ends the checks and waits until they ended.
func (w *watcher) stop() {
	w.cancel()
	<-w.done
}

func (v *service) watchLoop(ctx context.Context, p *proc, w *watcher) {
	cfg, clock := v.spec.Watch, v.sup.clock
	probe := healthProbe(v.spec)
	meter := cpuMeter{pid: p.pid, clock: clock}
	meter.sample() // the baseline
	track := cpuTracker{limit: cfg.CPUHigh, hold: cfg.CPUFor}
	fails := 0
	for {
		t := clock.NewTimer(cfg.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		}
		if probe != nil {
			pctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
			err := probe(pctx)
			cancel()
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				fails = 0
			} else if fails++; fails >= cfg.Failures {
				if errors.Is(err, context.DeadlineExceeded) {
					err = fmt.Errorf("no answer within %s", cfg.Timeout)
				}
				w.unhealthy <- fmt.Sprintf("health check failed %d times in a row (the last: %v)", fails, err)
				return
			}
		}
		if pct, start, now, ok := meter.sample(); ok && track.observe(start, now, pct) {
			select {
			case w.cpu <- cpuChange{high: track.high, percent: pct}:
			case <-ctx.Done():
				return
			}
		}
	}
}

// cpuMeter measures a process's CPU use between two samples from its CPU times, with a baseline
// of its own (Snapshot's samples do not disturb it).
type cpuMeter struct {
	pid   int
	clock Clock
	ps    *process.Process
	last  time.Time
	cpu   float64 // user + system seconds at last
}

// sample returns the CPU % (100 = one core) over [start, now]; ok is false for the first sample
// and when the process cannot be read.
func (m *cpuMeter) sample() (pct float64, start, now time.Time, ok bool) {
	if m.ps == nil {
		ps, err := process.NewProcess(int32(m.pid))
		if err != nil {
			return 0, start, now, false
		}
		m.ps = ps
	}
	ts, err := m.ps.Times()
	if err != nil {
		return 0, start, now, false
	}
	now, cpu := m.clock.Now(), ts.User+ts.System
	start, prev := m.last, m.cpu
	m.last, m.cpu = now, cpu
	dt := now.Sub(start).Seconds()
	if start.IsZero() || dt <= 0 {
		return 0, start, now, false
	}
	return 100 * (cpu - prev) / dt, start, now, true
}

// cpuTracker turns CPU samples into "high for a while": high once every sample for hold has been
// above limit, low again at the first sample that is not.
type cpuTracker struct {
	limit float64
	hold  time.Duration
	high  bool
	since time.Time // start of the current run of high samples; zero: the last one was not high
}

// observe takes the CPU % over [start, now] and reports whether high changed.
func (c *cpuTracker) observe(start, now time.Time, pct float64) (changed bool) {
	if pct <= c.limit {
		c.since = time.Time{}
		if c.high {
			c.high = false
			return true
		}
		return false
	}
	if c.since.IsZero() {
		c.since = start
	}
	if !c.high && now.Sub(c.since) >= c.hold {
		c.high = true
		return true
	}
	return false
}
