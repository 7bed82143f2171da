// Package shell is the heart of the desktop app without its window: it unpacks the bundled
// Streamlit app, opens the session store, runs the embedded dev IdP when no issuer is configured,
// keeps the session fresh, builds the Python runtime and supervises the three services. Both the
// window and `desklit run` drive one Shell.
package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/devidp"
	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/randtoken"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/wiring"
)

// Options are a Shell's dependencies.
type Options struct {
	Config *config.Config
	Paths  config.Paths
	// Exe is this binary; the api and component services are `Exe serve <name>`.
	Exe string
	// UV builds the Python environments; empty: pyruntime finds it beside Exe.
	UV string
	// Streamlit is the bundled Streamlit app and its Python package.
	Streamlit fs.FS
	// Project is the analyst's project to run; nil runs the bundled demo.
	Project *project.Project
	// OpenError is why the project asked for could not be opened (the demo runs instead); the
	// window shows it at start.
	OpenError error
	// Opener shows the authorize URL: a native window or the system browser.
	Opener authflow.Opener
	Logger *slog.Logger
	// Progress receives the environment build's progress (its full output goes to
	// <logs>/runtime-build.log).
	Progress func(pyruntime.Progress)
	// Environ is the environment the services inherit (os.Environ() in the app).
	Environ []string
}

// Shell owns the services and the session for one launch.
type Shell struct {
	o            Options
	cfg          *config.Config
	log          *slog.Logger
	launchSecret string
	controlToken string
	statusToken  string // for `desklit status` (status.go)

	mu           sync.Mutex
	sessMu       sync.Mutex // serialises StartSession
	switchMu     sync.Mutex // one OpenProject at a time
	rememberOnce sync.Once
	project      *project.Project
	sup          *supervisor.Supervisor
	sessions     *session.Manager
	store        session.Store
	storeSt      keyringstore.Status
	idp          *devidp.Server
	ctl          *control.Server
	rt           pyruntime.Runtime // the running app's environment and Streamlit command line
	// streamlitPorts are the Streamlit, component and API ports the Streamlit service was last
	// made for: its page and its environment name them.
	streamlitPorts [3]int
	cancel         context.CancelFunc
	bg             sync.WaitGroup
}

// New makes a Shell; nothing runs until Start.
func New(o Options) *Shell {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Environ == nil {
		o.Environ = os.Environ()
	}
	return &Shell{
		o:            o,
		project:      o.Project,
		cfg:          o.Config,
		log:          o.Logger,
		launchSecret: randomToken(),
		controlToken: randomToken(),
		statusToken:  randomToken(),
		sup: supervisor.New(supervisor.Options{
			LogDir: o.Paths.Logs,
			RunDir: o.Paths.Run,
			Logger: o.Logger.With("component", "supervisor"),
		}),
	}
}

func randomToken() string { return randtoken.New(32) }

// Supervisor exposes the services' state, logs and restarts.
func (s *Shell) Supervisor() *supervisor.Supervisor { return s.sup }

// Sessions is the session manager (nil before Start has opened the store).
func (s *Shell) Sessions() *session.Manager {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// StoreStatus says where the session is kept and, when it is not the keyring, why.
func (s *Shell) StoreStatus() keyringstore.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storeSt
}

// Config is the effective configuration.
func (s *Shell) Config() *config.Config { return s.cfg }

// StreamlitURL is the page to open: it carries the per-launch secret, which lets that page (and
// only a page opened with it) read the session through the component.
func (s *Shell) StreamlitURL() string {
	return s.cfg.StreamlitURL() + "/?desklit_token=" + url.QueryEscape(s.launchSecret)
}

// Project is the project running (nil: the bundled demo).
func (s *Shell) Project() *project.Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.project
}

// OpenError is why the project asked for at start could not be opened, if it could not.
func (s *Shell) OpenError() error { return s.o.OpenError }

// AppName is the running app's name.
func (s *Shell) AppName() string { return appName(s.Project()) }

func appName(p *project.Project) string {
	if p == nil {
		return DemoName
	}
	return p.Name
}

// DemoName is the bundled demo's name in the window and in messages.
const DemoName = "Desklit demo"

// script and dir are the Streamlit script and its working directory for p (nil: the demo).
func (s *Shell) script(p *project.Project) (script, dir string) {
	if p == nil {
		return filepath.Join(s.appDir(), "app.py"), s.appDir()
	}
	return p.Script, p.Dir
}

func (s *Shell) appDir() string { return filepath.Join(s.o.Paths.Data, "app") }

// StartSession opens the session store and starts the dev IdP, the session manager and the
// control channel; they live until Stop. Concurrent and later calls wait for the first one and
// share its result (a failed attempt may be retried).
func (s *Shell) StartSession() error {
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	if s.Sessions() != nil {
		return nil
	}
	bgctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	if err := s.startSession(bgctx); err != nil {
		cancel()
		s.bg.Wait()
		return err
	}
	return nil
}

// StartServices starts the session side (StartSession) and, at the same time, unpacks the app and
// builds or reuses the Python runtime; then it starts the three services. It returns when every
// service is Ready, or with what went wrong; it may be called again after a failure (retry), and
// services that are up stay up.
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
	if specs = slices.DeleteFunc(specs, func(sp supervisor.Spec) bool { return running[sp.Name] }); len(specs) == 0 {
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

// startSession opens the store, starts the dev IdP when it is the issuer, the session manager and
// the control channel the component server talks to.
func (s *Shell) startSession(ctx context.Context) error {
	store, st := wiring.OpenStore(ctx, s.cfg, s.o.Paths, s.log.With("component", "keyring"))
	if st.Warning != "" {
		s.log.Warn("session store", "backend", st.Backend, "warning", st.Warning)
	}
	if s.cfg.UsesDevIdP() {
		idp, err := devidp.New(wiring.IdPOptions(s.cfg, s.o.Paths, s.log.With("component", "idp")))
		if err != nil {
			return s.portError("idp", s.cfg.IdPPort, err)
		}
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			if err := idp.Serve(ctx); err != nil {
				s.log.Error("dev IdP stopped", "err", err)
			}
		}()
		s.mu.Lock()
		s.idp = idp
		s.mu.Unlock()
	}
	flow := authflow.New(wiring.FlowConfig(s.cfg, s.log.With("component", "signin")))
	mgr := session.NewManager(store, flow.Bind(s.o.Opener), s.log.With("component", "session"), nil)
	mgr.Start(ctx)
	ctl, err := control.NewServer(controlSessions{mgr}, s.controlToken, s.log.With("component", "control"))
	if err != nil {
		return fmt.Errorf("control channel: %w", err)
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		if err := ctl.Serve(ctx); err != nil {
			s.log.Error("control channel stopped", "err", err)
		}
	}()
	s.mu.Lock()
	s.store, s.storeSt, s.sessions, s.ctl = store, st, mgr, ctl
	s.mu.Unlock()
	s.publishStatus(ctl)
	return nil
}

// portError turns a bind failure on a fixed port into the supervisor's named-holder error.
func (s *Shell) portError(service string, port int, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		if perr := supervisor.CheckPort(service, port); perr != nil {
			return perr
		}
	}
	return fmt.Errorf("%s: %w", service, err)
}

// Stop stops the services (reverse order, grace, then kill), the IdP and the control channel.
func (s *Shell) Stop(ctx context.Context) error {
	err := s.sup.Stop(ctx)
	s.unpublishStatus()
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	done := make(chan struct{})
	go func() { s.bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return err
}

// Login signs in (through the configured opener) and stores the session.
func (s *Shell) Login(ctx context.Context) error {
	m := s.Sessions()
	if m == nil {
		return errors.New("the app is still starting")
	}
	return m.Login(ctx)
}

// Logout signs out.
func (s *Shell) Logout(ctx context.Context) error {
	m := s.Sessions()
	if m == nil {
		return errors.New("the app is still starting")
	}
	return m.Logout(ctx)
}

func envLookup(environ []string) func(string) string {
	m := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}
