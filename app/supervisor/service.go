package supervisor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// tailLines is how many log lines an error message carries.
const tailLines = 20

// errStoppedBeforeReady answers a readiness wait that a Stop cut short.
var errStoppedBeforeReady = errors.New("stopped before it was ready")

// service is one supervised service. Its run goroutine alone changes its state, so its events
// leave in the order they happened.
type service struct {
	sup  *Supervisor
	spec Spec
	out  *output

	reqs     chan chan error // restart requests; the reply carries the readiness result
	stopCh   chan struct{}   // closed: stop (polite signal, grace, kill)
	stopOnce sync.Once
	killCh   chan struct{} // closed: stop now (second Stop or the Stop context ended)
	killOnce sync.Once
	done     chan struct{} // closed when run returns

	mu   sync.Mutex
	st   Status
	proc *proc
}

func (v *service) requestStop() { v.stopOnce.Do(func() { close(v.stopCh) }) }
func (v *service) requestKill() { v.killOnce.Do(func() { close(v.killCh) }) }

// set changes the state and publishes the change. CPU figures belong to one Ready run.
func (v *service) set(state State, f func(*Status)) {
	v.mu.Lock()
	v.st.State = state
	v.st.Since = v.sup.clock.Now()
	v.st.RetryIn, v.st.CPUHigh, v.st.CPUPercent = 0, false, 0
	if f != nil {
		f(&v.st)
	}
	st := v.st
	v.mu.Unlock()
	v.sup.emit(st)
}

// update changes the status within its state and publishes the change.
func (v *service) update(f func(*Status)) {
	v.mu.Lock()
	f(&v.st)
	st := v.st
	v.mu.Unlock()
	v.sup.emit(st)
}

func (v *service) setProc(p *proc) {
	v.mu.Lock()
	v.proc = p
	v.mu.Unlock()
}

// run is the service's life: start, wait for ready, watch, restart after crashes with backoff,
// until a stop. waiter receives the first start's readiness result.
func (v *service) run(waiter chan error) {
	defer close(v.done)
	defer v.out.close()
	l := &life{v: v, book: newCrashBook(v.spec.Restart, v.sup.rand), waiters: []chan error{waiter}}
	for first := true; ; first = false {
		if !first {
			v.mu.Lock()
			v.st.Restarts++
			v.mu.Unlock()
		}
		p, err := v.launch()
		if err != nil {
			if l.failed("", fmt.Errorf("%s: start %s: %w", v.spec.Name, v.spec.Argv[0], err), 0) {
				continue
			}
			return
		}
		v.setProc(p)
		v.set(Starting, func(s *Status) { s.PID = p.pid })
		switch then, crashMsg, readyAt := l.runProc(p); then {
		case startAgain:
			continue
		case stopHere:
			return
		default:
			if !l.crashed(p, crashMsg, readyAt) {
				return
			}
		}
	}
}

// life is what a service's loop keeps between its processes: the crash history, and who waits
// for the outcome of the next start.
type life struct {
	v       *service
	book    *crashBook
	waiters []chan error
}

// followUp is what follows a process of the service.
type followUp int

const (
	backOff    followUp = iota // it crashed (or never came up): back off, or trip the breaker
	startAgain                 // start another at once (a requested restart, a restart after Failed)
	stopHere                   // the service stops
)

func (l *life) breaker(n int) Breaker {
	pol := l.v.spec.Restart
	return Breaker{Crashes: n, Max: pol.MaxCrashes, Window: pol.Window}
}

// notify tells whoever waits for the start how it went.
func (l *life) notify(err error) {
	for _, w := range l.waiters {
		w <- err
	}
	l.waiters = nil
}

// restart takes a restart request: reply hears how the next start goes, and earlier crashes are
// forgiven.
func (l *life) restart(reply chan error) {
	l.waiters = append(l.waiters, reply)
	l.book.forgive()
	l.v.mu.Lock()
	l.v.st.Breaker = l.breaker(0)
	l.v.mu.Unlock()
}

// failed parks the service until a restart request (true) or a stop (false).
func (l *life) failed(exit string, err error, n int) bool {
	v := l.v
	l.notify(err)
	v.set(Failed, func(s *Status) {
		s.PID, s.ExitStatus, s.LastError, s.Reason = 0, exit, err.Error(), oneLine(err.Error())
		if n > 0 {
			s.Breaker = l.breaker(n)
		}
	})
	select {
	case <-v.stopCh:
		v.set(Stopped, nil)
		return false
	case reply := <-v.reqs:
		l.restart(reply)
		return true
	}
}

// runProc waits for p to come up and watches it while it is Ready. On a crash it returns what to
// say about it and when p became Ready (zero: never).
func (l *life) runProc(p *proc) (then followUp, crashMsg string, readyAt time.Time) {
	v := l.v
	switch ready, reply, err := v.awaitReady(p); {
	case reply != nil:
		v.halt(p, false)
		l.restart(reply)
		return startAgain, "", time.Time{}
	case errors.Is(err, errStoppedBeforeReady):
		l.notify(fmt.Errorf("%s: %w", v.spec.Name, err))
		v.halt(p, true)
		return stopHere, "", time.Time{}
	case !ready:
		if len(l.waiters) > 0 { // someone asked for this start: report, do not retry
			if l.failed(p.exitStatus(), err, 0) {
				return startAgain, "", time.Time{}
			}
			return stopHere, "", time.Time{}
		}
		// A restart that does not come up is one more crash.
		return backOff, strings.TrimPrefix(err.Error(), v.spec.Name+": "), time.Time{}
	}
	readyAt = v.sup.clock.Now()
	v.set(Ready, nil)
	l.notify(nil)
	switch end, why, reply := v.whileReady(p); end {
	case endStop:
		v.halt(p, true)
		return stopHere, "", readyAt
	case endRestart:
		v.halt(p, false)
		l.restart(reply)
		return startAgain, "", readyAt
	case endUnhealthy:
		return backOff, fmt.Sprintf("unhealthy: %s; stopped (%s); last output:\n%s", why, p.exitStatus(), v.out.tail(tailLines)), readyAt
	default:
		return backOff, fmt.Sprintf("%s%s; last output:\n%s", p.exitStatus(), v.portTaken(), v.out.tail(tailLines)), readyAt
	}
}

// crashed records p's crash and waits out the backoff, or parks the service as Failed when the
// breaker trips. It reports whether the service goes on (false: it stops).
func (l *life) crashed(p *proc, crashMsg string, readyAt time.Time) bool {
	v, pol := l.v, l.v.spec.Restart
	exit := p.exitStatus()
	d, trip, n := l.book.crash(v.sup.clock.Now(), p.started, readyAt)
	if trip {
		why := "crashed " + strconv.Itoa(n) + " times within " + pol.Window.String()
		if pol.Never {
			why = "crashed and is not restarted"
		}
		return l.failed(exit, fmt.Errorf("%s %s; the last time: %s", v.spec.Name, why, crashMsg), n)
	}
	v.set(Backoff, func(s *Status) {
		s.PID, s.RetryIn, s.ExitStatus, s.LastError, s.Reason = 0, d, exit, crashMsg, oneLine(crashMsg)
		s.Breaker = l.breaker(n)
	})
	t := v.sup.clock.NewTimer(d)
	select {
	case <-t.C():
	case <-v.stopCh:
		t.Stop()
		v.set(Stopped, nil)
		return false
	case reply := <-v.reqs:
		t.Stop()
		l.restart(reply)
	}
	return true
}

// oneLine is an error message without the log lines it carries.
func oneLine(msg string) string {
	msg, _, _ = strings.Cut(msg, "; last output:")
	msg, _, _ = strings.Cut(msg, "\n")
	return msg
}

// How a Ready run ends.
type readyEnd int

const (
	endExit      readyEnd = iota // the process exited by itself
	endUnhealthy                 // the liveness check gave up; the process was stopped
	endStop                      // Stop was called
	endRestart                   // a restart was requested
)

// whileReady watches a Ready service until its process exits, its liveness check fails (it is
// then shown Unhealthy and stopped), a stop or a restart request. Its CPU reports update the
// status meanwhile.
func (v *service) whileReady(p *proc) (end readyEnd, why string, reply chan error) {
	w := v.watch(p)
	defer w.stop()
	for {
		select {
		case <-p.exited:
			return endExit, "", nil
		case why := <-w.unhealthy:
			v.set(Unhealthy, func(s *Status) { s.LastError, s.Reason = why, why })
			v.terminate(p)
			return endUnhealthy, why, nil
		case c := <-w.cpu:
			v.update(func(s *Status) { s.CPUHigh, s.CPUPercent = c.high, c.percent })
		case <-v.stopCh:
			return endStop, "", nil
		case reply := <-v.reqs:
			return endRestart, "", reply
		}
	}
}

// awaitReady waits for the health check, the process's exit, a stop or a restart request.
func (v *service) awaitReady(p *proc) (ready bool, restart chan error, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), v.spec.ReadyTimeout)
	defer cancel()
	res := make(chan error, 1)
	go func() { res <- waitReady(ctx, v.spec) }()
	select {
	case err := <-res:
		if err == nil {
			// A connection to the port is all a service without a health URL answers: anything
			// listening there does. (A health URL's 2xx is the service's own; the check costs a
			// read of the system's socket tables, ~7 ms, which Streamlit's start need not pay.)
			var pe *PortInUseError
			if v.spec.HealthURL == "" {
				pe = foreignListener(v.spec.Name, v.spec.Port, p.rec)
			}
			if pe == nil {
				return true, nil, nil
			}
			// Another program took the port while the service started: its answer is not the
			// service's, and the app would talk to that program.
			v.terminate(p)
			return false, nil, fmt.Errorf("%s: %v, which took it while the service was starting and answered its readiness check in its stead; last output:\n%s",
				v.spec.Name, pe, v.out.tail(tailLines))
		}
		elsewhere := listensElsewhere(v.spec.Port, p.rec)
		v.terminate(p)
		return false, nil, fmt.Errorf("%s: not ready within %s (%s: %v)%s%s; last output:\n%s",
			v.spec.Name, v.spec.ReadyTimeout, healthCheckName(v.spec), err, elsewhere, v.portTaken(), v.out.tail(tailLines))
	case <-p.exited:
		return false, nil, fmt.Errorf("%s: exited during start-up (%s)%s; last output:\n%s",
			v.spec.Name, p.exitStatus(), v.portTaken(), v.out.tail(tailLines))
	case <-v.stopCh:
		return false, nil, errStoppedBeforeReady
	case reply := <-v.reqs:
		return false, reply, nil
	}
}

// portTaken names the program holding the service's port once its process is gone (": port 8888
// (api) is in use by nc (pid 42: nc -l 8888)"), the likely reason why a restart did not come up;
// empty when the port is free or the service has none.
func (v *service) portTaken() string {
	if v.spec.Port <= 0 {
		return ""
	}
	var pe *PortInUseError
	if err := CheckPort(v.spec.Name, v.spec.Port); errors.As(err, &pe) {
		return ": " + pe.Error()
	}
	return ""
}

// halt stops the process, passing through Stopping; final marks the service Stopped.
func (v *service) halt(p *proc, final bool) {
	v.set(Stopping, nil)
	v.terminate(p)
	exit := p.exitStatus()
	if final {
		v.set(Stopped, func(s *Status) { s.PID, s.ExitStatus = 0, exit })
		return
	}
	v.mu.Lock()
	v.st.PID, v.st.ExitStatus = 0, exit
	v.mu.Unlock()
}

// terminate sends the stop signal to the process group, waits out the grace period (cut short
// by a kill request) and then kills the group.
func (v *service) terminate(p *proc) {
	if err := p.grp.signal(v.spec.StopSignal); err != nil {
		v.sup.log.Warn("stop signal failed; killing", "service", v.spec.Name, "err", err)
		_ = p.grp.kill()
	}
	t := v.sup.clock.NewTimer(v.spec.Grace)
	select {
	case <-p.exited:
	case <-t.C():
		v.sup.log.Warn("grace period over; killing", "service", v.spec.Name, "grace", v.spec.Grace)
		_ = p.grp.kill()
	case <-v.killCh:
		_ = p.grp.kill()
	}
	t.Stop()
	<-p.exited
}

// status returns the current status with the process's uptime, CPU and memory sampled now.
func (v *service) status(now time.Time) Status {
	v.mu.Lock()
	st, p := v.st, v.proc
	v.mu.Unlock()
	if p == nil || st.PID == 0 {
		return st
	}
	st.Uptime = now.Sub(p.started)
	st.CPUPercent, st.RSSBytes = p.sample()
	return st
}
