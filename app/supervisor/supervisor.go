package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"
)

// logQueueLimit bounds each log subscriber's backlog; a reader that falls further behind loses
// the oldest lines (the ring buffer and the log file still have them).
const logQueueLimit = 10000

// Supervisor runs services. Its methods are safe for concurrent use.
type Supervisor struct {
	opts  Options
	log   *slog.Logger
	clock Clock
	rand  func() float64

	mu       sync.Mutex
	order    []*service // start order
	stopping int        // Stop calls in progress
	escalate chan struct{}

	evMu   sync.Mutex // orders Seq assignment with publication
	seq    uint64
	events broadcaster[Event]
	logs   broadcaster[LogLine]
}

// New makes a Supervisor; nothing runs until Start.
func New(opts Options) *Supervisor {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.RingSize <= 0 {
		opts.RingSize = 1000
	}
	if opts.MaxLogBytes <= 0 {
		opts.MaxLogBytes = 10 << 20
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	return &Supervisor{
		opts:     opts,
		log:      opts.Logger,
		clock:    opts.Clock,
		rand:     opts.Rand,
		escalate: make(chan struct{}),
		logs:     broadcaster[LogLine]{limit: logQueueLimit},
	}
}

// Start checks the services' ports (stopping this program's own leftovers from an earlier run),
// starts the services concurrently and waits until each is ready. When a port is taken nothing
// is started. The error joins every service's failure; a readiness failure carries the service's
// last log lines. Services that did start keep running until Stop.
func (s *Supervisor) Start(ctx context.Context, specs ...Spec) error {
	specs = slices.Clone(specs)
	var errs []error
	names := map[string]bool{}
	s.mu.Lock()
	for i, sp := range specs {
		specs[i] = sp.withDefaults()
		switch {
		case sp.Name == "":
			errs = append(errs, fmt.Errorf("service %d has no name", i))
		case len(sp.Argv) == 0:
			errs = append(errs, fmt.Errorf("%s: no command", sp.Name))
		case names[sp.Name]:
			errs = append(errs, fmt.Errorf("%s: named twice", sp.Name))
		case s.find(sp.Name) != nil && !s.find(sp.Name).finished():
			errs = append(errs, fmt.Errorf("%s: already running", sp.Name))
		}
		names[sp.Name] = true
	}
	s.mu.Unlock()
	if len(errs) > 0 {
		return errors.Join(errs...)
	}

	errs = make([]error, len(specs))
	var wg sync.WaitGroup
	for i, sp := range specs {
		wg.Go(func() { errs[i] = s.preflight(ctx, sp) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}

	waiters := make([]chan error, len(specs))
	s.mu.Lock()
	for i, sp := range specs {
		v := s.newService(sp)
		s.order = slices.DeleteFunc(s.order, func(o *service) bool { return o.spec.Name == sp.Name })
		s.order = append(s.order, v)
		waiters[i] = make(chan error, 1)
		go v.run(waiters[i])
	}
	s.mu.Unlock()

	errs = errs[:0]
	for _, w := range waiters {
		select {
		case err := <-w:
			if err != nil {
				errs = append(errs, err)
			}
		case <-ctx.Done():
			return errors.Join(append(errs, fmt.Errorf("waiting for the services: %w", ctx.Err()))...)
		}
	}
	return errors.Join(errs...)
}

// preflight stops a leftover of this service from an earlier run, then checks its port.
func (s *Supervisor) preflight(ctx context.Context, sp Spec) error {
	if dir := s.opts.RunDir; dir != "" {
		rec, ok, err := readPIDFile(dir, sp.Name)
		if err != nil {
			s.log.Warn("pid file unreadable", "service", sp.Name, "err", err)
		}
		var pids []int32
		if ok {
			pids = leftovers(rec)
		}
		if len(pids) > 0 {
			s.log.Info("stopping a leftover from an earlier run", "service", sp.Name, "pid", rec.PID, "pids", pids)
			if err := reap(ctx, rec, pids, sp.Grace); err != nil {
				return fmt.Errorf("%s: %w", sp.Name, err)
			}
			if sp.Port > 0 {
				// A process counts as gone once it is a zombie, but its threads may hold
				// the socket a moment longer.
				waitPortFree(ctx, sp.Port, 3*time.Second)
			}
		}
		if ok {
			removePIDFile(dir, sp.Name)
		}
	}
	if sp.Port > 0 {
		return CheckPort(sp.Name, sp.Port)
	}
	return nil
}

// waitPortFree watches for 127.0.0.1:port to become bindable, up to d.
func waitPortFree(ctx context.Context, port int, d time.Duration) {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for step := 5 * time.Millisecond; ; step = min(step*2, 100*time.Millisecond) {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			ln.Close()
			return
		}
		t := time.NewTimer(step)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-deadline.C:
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (s *Supervisor) newService(sp Spec) *service {
	var lf *logFile
	if s.opts.LogDir != "" {
		var err error
		if lf, err = openLogFile(s.opts.LogDir, sp.Name, s.opts.MaxLogBytes); err != nil {
			s.log.Warn("service output kept in memory only", "service", sp.Name, "err", err)
		}
	}
	v := &service{
		sup:    s,
		spec:   sp,
		reqs:   make(chan chan error),
		stopCh: make(chan struct{}),
		killCh: make(chan struct{}),
		done:   make(chan struct{}),
		st: Status{Name: sp.Name, State: Stopped, Port: sp.Port, Since: s.clock.Now(),
			Breaker: Breaker{Max: sp.Restart.MaxCrashes, Window: sp.Restart.Window}},
	}
	if sp.Port > 0 {
		v.st.URL = "http://127.0.0.1:" + strconv.Itoa(sp.Port)
	}
	if sp.URL != "" {
		v.st.URL = sp.URL
	}
	v.out = newOutput(sp.Name, s.opts.RingSize, lf, s.clock, s.logs.publish)
	return v
}

func (v *service) finished() bool {
	select {
	case <-v.done:
		return true
	default:
		return false
	}
}

// find returns the service named name; s.mu must be held.
func (s *Supervisor) find(name string) *service {
	for _, v := range s.order {
		if v.spec.Name == name {
			return v
		}
	}
	return nil
}

func (s *Supervisor) lookup(name string) *service {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.find(name)
}

// Stop stops every service in reverse start order: the stop signal to its process group, the
// grace period, then a kill. When ctx ends or Stop is called again meanwhile, the remaining
// services are killed without waiting out their grace. It returns ctx's error when it had to
// cut a grace period short for it.
func (s *Supervisor) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopping++
	if s.stopping == 2 {
		close(s.escalate)
	}
	esc := s.escalate
	list := slices.Clone(s.order)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.stopping--
		if s.stopping == 0 && isClosed(s.escalate) {
			s.escalate = make(chan struct{})
		}
		s.mu.Unlock()
	}()

	var cut error
	for _, v := range slices.Backward(list) {
		if stopOne(ctx, v, esc) {
			cut = fmt.Errorf("stop: services killed: %w", ctx.Err())
		}
	}
	return cut
}

// stopOne sends the stop signal and waits out the grace period; it kills when the grace ends,
// esc closes or ctx ends, and reports whether ctx cut the grace short.
func stopOne(ctx context.Context, v *service, esc <-chan struct{}) (cut bool) {
	v.requestStop()
	select {
	case <-v.done:
		return false
	case <-esc:
	case <-ctx.Done():
		cut = true
	}
	v.requestKill()
	<-v.done
	return cut
}

// StopService stops one service: the stop signal to its process group, the grace period, then a
// kill (at once when ctx ends). It stays listed as Stopped until Start starts it again. Stopping
// a service that is not running is not an error.
func (s *Supervisor) StopService(ctx context.Context, name string) error {
	v := s.lookup(name)
	if v == nil {
		return nil
	}
	if stopOne(ctx, v, nil) {
		return fmt.Errorf("stop %s: killed: %w", name, ctx.Err())
	}
	return nil
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// Restart stops the service (signal, grace, kill) and starts it again, forgetting earlier
// crashes; it waits until the service is ready. A Failed service can be restarted this way.
func (s *Supervisor) Restart(ctx context.Context, name string) error {
	v := s.lookup(name)
	if v == nil {
		return fmt.Errorf("restart %s: no such service", name)
	}
	reply := make(chan error, 1)
	select {
	case v.reqs <- reply:
	case <-v.done:
		return fmt.Errorf("restart %s: the service is stopped", name)
	case <-ctx.Done():
		return fmt.Errorf("restart %s: %w", name, ctx.Err())
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return fmt.Errorf("restart %s: %w", name, ctx.Err())
	}
}

// Snapshot returns every service's status in start order, with uptime, CPU % (since the
// previous Snapshot) and RSS sampled now.
func (s *Supervisor) Snapshot() []Status {
	s.mu.Lock()
	list := slices.Clone(s.order)
	s.mu.Unlock()
	now := s.clock.Now()
	out := make([]Status, len(list))
	for i, v := range list {
		out[i] = v.status(now)
	}
	return out
}

// Subscribe returns every state change from now on, in order. Each subscriber has its own
// unbounded queue, so a slow reader delays nobody and misses nothing. Call cancel to end the
// subscription; the channel is then closed.
func (s *Supervisor) Subscribe() (<-chan Event, func()) { return s.events.subscribe() }

// Logs returns the lines kept in memory for the service, oldest first.
func (s *Supervisor) Logs(name string) []LogLine {
	v := s.lookup(name)
	if v == nil {
		return nil
	}
	return v.out.lines()
}

// SubscribeLogs returns every service's output lines from now on. A reader that falls more
// than 10000 lines behind loses the oldest ones.
func (s *Supervisor) SubscribeLogs() (<-chan LogLine, func()) { return s.logs.subscribe() }

func (s *Supervisor) emit(st Status) {
	s.evMu.Lock()
	defer s.evMu.Unlock()
	s.seq++
	s.events.publish(Event{Seq: s.seq, Time: s.clock.Now(), Status: st})
	attrs := []any{"service", st.Name, "state", st.State}
	if st.PID != 0 {
		attrs = append(attrs, "pid", st.PID)
	}
	if st.State == Backoff || st.State == Failed {
		attrs = append(attrs, "exit", st.ExitStatus, "retry_in", st.RetryIn)
	}
	s.log.Info("service state", attrs...)
}
