// Package shell is the heart of the desktop app without its window: it unpacks the bundled
// Streamlit app, opens the session store, runs the embedded dev IdP when no issuer is configured,
// keeps the session fresh, builds the Python runtime and supervises the three services. Both the
// window and `desklit run` drive one Shell.
package shell

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/devidp"
	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/randtoken"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/stlogin"
	"github.com/desklit/desklit/app/supervisor"
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
	// Single is set for a packaged app: it runs its project and opens no other (nor the demo).
	Single bool
	// Icon is Desklit's icon (PNG), a package's when its project has none.
	Icon []byte
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
	opening      string     // the name of the app a switch opens (opener.go), "" when none runs
	rememberOnce sync.Once
	project      *project.Project
	sup          *supervisor.Supervisor
	sessions     *session.Manager
	store        session.Store
	storeSt      keyringstore.Status
	idp          *devidp.Server
	ctl          *control.Server
	broker       *stlogin.Broker // st.login apps' OpenID provider (stlogin.go), on first need
	brokerStop   context.CancelFunc
	rt           pyruntime.Runtime // the running app's environment and Streamlit command line
	// streamlitPorts are the Streamlit, component and API ports the Streamlit service was last
	// made for: its page and its environment name them.
	streamlitPorts [3]int
	// plainPage: the running app reads no launch secret (neither desklit_auth nor st.login
	// through Desklit), so its page's address carries none (streamlitSpec decides).
	plainPage bool
	// The project's own services: the ports planned for the project (svcPlan), the set that runs
	// (svcRunning) and the guards in front of those with protect = "bearer".
	svcPlan    *serviceSet
	svcRunning *serviceSet
	guards     map[string]*guardRun
	cancel     context.CancelFunc
	warmCancel context.CancelFunc // ends the running warm-up of an app's imports (warmImports)
	bg         sync.WaitGroup
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
// only a page opened with it) read the session through the component, or st.user through
// Desklit. An app that reads neither gets its plain address: a secret it never takes out of the
// address would stay in it (the browser's history, a copied link).
func (s *Shell) StreamlitURL() string {
	s.mu.Lock()
	plain := s.plainPage
	s.mu.Unlock()
	if plain {
		return s.cfg.StreamlitURL() + "/"
	}
	return s.cfg.StreamlitURL() + "/?desklit_token=" + url.QueryEscape(s.launchSecret)
}

// Project is the project running (nil: the bundled demo).
func (s *Shell) Project() *project.Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.project
}

// Single reports whether this is a packaged app, which runs its own project only (Rule).
func (s *Shell) Single() bool { return s.Rule().Own != "" }

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

// script and dir are the Streamlit script and its working directory for p (nil: the demo): the
// one choice, made with the runtime request (runtimeRequest), which carries it to the service.
func (s *Shell) script(p *project.Project) (script, dir string) {
	if p == nil {
		return filepath.Join(s.appDir(), "app.py"), s.appDir()
	}
	return p.Script, p.RunDir()
}

func (s *Shell) appDir() string { return filepath.Join(s.o.Paths.Data, "app") }

// Stop stops the services (reverse order, grace, then kill), the IdP and the control channel.
func (s *Shell) Stop(ctx context.Context) error {
	err := s.sup.Stop(ctx)
	s.stopGuards()
	s.unpublishStatus()
	s.mu.Lock()
	cancel, brokerStop, warmStop := s.cancel, s.brokerStop, s.warmCancel
	s.mu.Unlock()
	for _, stop := range []context.CancelFunc{cancel, warmStop} {
		if stop != nil {
			stop()
		}
	}
	if brokerStop != nil {
		brokerStop()
	}
	done := make(chan struct{})
	go func() { s.bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return err
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
