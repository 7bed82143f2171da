package shell

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/supervisor"
)

// StartServices starts the session side (StartSession) and, at the same time, unpacks the app and
// builds or reuses the Python runtime; then it starts the three services. It returns when every
// service is Ready, or with what went wrong; it may be called again after a failure (retry), and
// services that are up stay up (but for a Streamlit whose ports moved: see runningServices).
//
// Streamlit is the slowest to come up and needs only the runtime, so it starts as early as
// possible: on a warm start as soon as the runtime's marker checks out (pyruntime.Plausible),
// while the full check (a stat of every file, ~12 ms) runs beside it; should that check fail,
// Streamlit is stopped before the runtime is rebuilt, and started again from the new one.
func (s *Shell) StartServices(ctx context.Context) error {
	s.rememberOnce.Do(func() { s.remember(s.Project()) })
	sessErr := make(chan error, 1)
	go func() { sessErr <- s.StartSession() }()
	running := s.runningServices(ctx)
	st := s.newStreamlitStart(ctx)
	defer st.cancel()
	if err := s.startRuntime(ctx, st, running["streamlit"]); err != nil {
		return errors.Join(err, <-sessErr)
	}
	goErr := s.startGoServices(ctx, <-sessErr, running)
	if goErr == nil {
		goErr = s.startProjectServices(ctx, running)
	}
	return errors.Join(goErr, <-st.done)
}

// runningServices are the services up from an earlier attempt. A Streamlit made before one of
// the ports moved (the user chose another after a conflict) is stopped, to start again: its page
// and its environment name the old ones.
func (s *Shell) runningServices(ctx context.Context) map[string]bool {
	running := map[string]bool{}
	for _, st := range s.sup.Snapshot() {
		running[st.Name] = st.State != supervisor.Failed && st.State != supervisor.Stopped
	}
	s.mu.Lock()
	moved := s.streamlitPorts != [3]int{s.cfg.StreamlitPort, s.cfg.ComponentPort, s.cfg.APIPort}
	s.mu.Unlock()
	if running["streamlit"] && moved {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.sup.StopService(stopCtx, "streamlit"); err != nil {
			s.log.Warn("stop streamlit for the ports chosen", "err", err)
		}
		running["streamlit"] = false
	}
	return running
}

// startRuntime unpacks the app and builds or reuses its environment; unless Streamlit runs, it
// starts Streamlit, early when the environment allows. st.done receives that start's outcome.
func (s *Shell) startRuntime(ctx context.Context, st *streamlitStart, running bool) error {
	if err := s.unpackApp(); err != nil {
		return err
	}
	r, err := s.runtimeRequest(s.Project())
	if err != nil {
		return err
	}
	r.BeforeBuild = st.dropEarly
	if !running {
		r.Early = st.startEarly
	}
	rt, err := s.prepare(ctx, r)
	if err != nil {
		st.dropEarly()
		return err
	}
	s.mu.Lock()
	s.rt = rt
	s.mu.Unlock()
	s.pruneEnvs(r.Options, rt.Env.Key)
	switch {
	case st.early:
	case running:
		st.done <- nil
	default:
		st.start(ctx)
	}
	return nil
}

// streamlitStart is StartServices' start of Streamlit, which may begin early: from an environment
// that passed only pyruntime's quick check, while the full check runs.
type streamlitStart struct {
	s        *Shell
	early    bool // begun early, and not dropped since
	earlyCtx context.Context
	cancel   context.CancelFunc // ends earlyCtx
	done     chan error         // the start's outcome
}

func (s *Shell) newStreamlitStart(ctx context.Context) *streamlitStart {
	earlyCtx, cancel := context.WithCancel(ctx)
	return &streamlitStart{s: s, earlyCtx: earlyCtx, cancel: cancel, done: make(chan error, 1)}
}

// startEarly starts Streamlit from rt, whose environment looks built.
func (st *streamlitStart) startEarly(rt pyruntime.Runtime) {
	st.s.mu.Lock()
	st.s.rt = rt
	st.s.mu.Unlock()
	if sp, err := st.s.streamlitSpec(); err == nil {
		st.early = true
		go func() { st.done <- st.s.startStreamlit(st.earlyCtx, sp) }()
	}
}

// dropEarly stops an early Streamlit: it must not run from a runtime that is about to be rebuilt.
func (st *streamlitStart) dropEarly() {
	if !st.early {
		return
	}
	st.early = false
	st.cancel()
	<-st.done
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(st.earlyCtx), 5*time.Second)
	defer cancel()
	if err := st.s.sup.StopService(stopCtx, "streamlit"); err != nil {
		st.s.log.Warn("stop streamlit before the runtime rebuild", "err", err)
	}
}

// start starts Streamlit from the ready runtime.
func (st *streamlitStart) start(ctx context.Context) {
	sp, err := st.s.streamlitSpec()
	if err != nil {
		st.done <- err
		return
	}
	go func() { st.done <- st.s.startStreamlit(ctx, sp) }()
}

// startGoServices starts the api and component services that do not run yet, once the session
// side is up (sessErr is how its start ended).
func (s *Shell) startGoServices(ctx context.Context, sessErr error, running map[string]bool) error {
	if sessErr != nil {
		return sessErr
	}
	specs, err := s.goSpecs()
	if err != nil {
		return err
	}
	demoAPI := !hasServices(s.Project())
	if specs = slices.DeleteFunc(specs, func(sp supervisor.Spec) bool {
		return running[sp.Name] || (sp.Name == "api" && !demoAPI)
	}); len(specs) == 0 {
		return nil
	}
	return s.sup.Start(ctx, specs...)
}

// startStreamlit checks the project's script (a syntax error is reported, not served) and
// starts the Streamlit service.
func (s *Shell) startStreamlit(ctx context.Context, sp supervisor.Spec) error {
	s.mu.Lock()
	env, p := s.rt.Env, s.project
	s.mu.Unlock()
	if err := checkScript(ctx, env, p); err != nil {
		return err
	}
	return s.sup.Start(ctx, sp)
}

// SetPort moves a service to another port (the user chose one after a conflict); it takes effect
// at the next StartServices.
func (s *Shell) SetPort(service string, port int) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("port %d is out of range 1-65535", port)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch service {
	case "streamlit":
		s.cfg.StreamlitPort = port
	case "component":
		s.cfg.ComponentPort = port
	case "api":
		s.cfg.APIPort = port
	default:
		return fmt.Errorf("unknown service %q", service)
	}
	s.cfg.Sources["DESKLIT_"+strings.ToUpper(service)+"_PORT"] = "chosen in the window"
	return nil
}
