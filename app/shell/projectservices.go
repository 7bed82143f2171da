package shell

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/supervisor"
)

// defaultServiceReadyTimeout is how long a service's start may take to answer its health path
// when desklit.toml sets no ready_timeout.
const defaultServiceReadyTimeout = 60 * time.Second

// serviceSet is a project's own services ([services.*] of desklit.toml) as Desklit runs them:
// their ports are chosen once per project, so that Streamlit, made before them, and a restarted
// service find the same addresses.
type serviceSet struct {
	project *project.Project
	list    []plannedService
}

// plannedService is one service's ports: public is what the app and the other services call
// (the guard's with protect = "bearer"), private the service's own (its PORT).
type plannedService struct {
	sv      project.Service
	public  int
	private int
	secret  string // with protect = "bearer": X-Desklit-Guard on the guard's requests
}

// servicePlan is p's service set, made on first use (nil project or no services: an empty set).
func (s *Shell) servicePlan(p *project.Project) (*serviceSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.svcPlan != nil && s.svcPlan.project == p {
		return s.svcPlan, nil
	}
	set := &serviceSet{project: p}
	if p != nil && p.Compose != "" {
		names := make([]string, len(p.Services))
		for i, sv := range p.Services {
			names[i] = sv.Name
		}
		s.log.Info("the app's services, as its Compose file runs them", "file", p.Compose, "services", names)
		if len(p.ComposeLeftOut) > 0 {
			s.log.Warn("services of the Compose file that Desklit does not run: start them yourself if the app needs them",
				"file", p.Compose, "left_out", p.ComposeLeftOut)
		}
	}
	if p != nil && len(p.Deps.Unread) > 0 {
		s.log.Warn("the app has no requirements.txt, pyproject.toml or other dependency file Desklit reads, only files of other names, which it does not read "+
			"(as Community Cloud does not): it runs with Streamlit and Desklit's own packages; to install yours, write a requirements.txt that includes one (-r requirements/base.txt)",
			"files", p.Deps.Unread)
	}
	if p != nil && len(p.ProcfileLeftOut) > 0 {
		s.log.Warn("processes of the Procfile that Desklit does not run: start them yourself if the app needs them, or name them in desklit.toml [services]",
			"processes", p.ProcfileLeftOut)
	}
	if p != nil {
		for _, sv := range p.Services {
			ps := plannedService{sv: sv, public: sv.Port, private: sv.Port}
			if sv.Protect == project.ProtectBearer {
				ps.secret = randomToken()
			}
			var err error
			if sv.Protect == project.ProtectBearer || sv.Port == 0 {
				if ps.private, err = freePort(); err != nil {
					return nil, err
				}
			}
			if ps.public == 0 {
				ps.public = ps.private
				if sv.Protect == project.ProtectBearer {
					if ps.public, err = freePort(); err != nil {
						return nil, err
					}
				}
			}
			set.list = append(set.list, ps)
		}
	}
	s.svcPlan = set
	return set, nil
}

// freePort is a loopback port free now (the kernel's choice).
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("choose a port for a service: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// serviceEnv is what Streamlit and every service learn: each service's URL, and the issuer's
// settings under the names Auth0's quick starts read.
func (s *Shell) serviceEnv(set *serviceSet) []string {
	var env []string
	for _, ps := range set.list {
		env = append(env, fmt.Sprintf("DESKLIT_SERVICE_%s_URL=http://127.0.0.1:%d", ps.sv.EnvName(), ps.public))
	}
	iss := s.cfg.Issuer()
	domain := iss
	if u, err := url.Parse(iss); err == nil && u.Host != "" {
		domain = u.Host
	}
	return append(env, "AUTH0_ISSUER_BASE_URL="+iss, "AUTH0_DOMAIN="+domain, "AUTH0_AUDIENCE="+s.cfg.Audience,
		"API_AUDIENCE="+s.cfg.Audience, "AUTH0_CLIENT_ID="+s.cfg.ClientID)
}

// serviceSpec is ps's supervisor spec: its command with {port} filled in, found on a PATH that
// starts with its environment (the app's, or its own: serviceRuntime), run in its folder (the
// project's by default) with PORT set.
func (s *Shell) serviceSpec(ctx context.Context, set *serviceSet, ps plannedService) (supervisor.Spec, error) {
	sv, dir := ps.sv, cmp.Or(ps.sv.Dir, set.project.Dir)
	env, err := s.serviceRuntime(ctx, set.project, sv)
	if err != nil {
		return supervisor.Spec{}, &ServiceError{Name: sv.Name, Where: sv.Where(""), Err: err}
	}
	childEnv := withPath(s.pythonEnv(set.project, env), filepath.Dir(env.Python))
	childEnv = append(childEnv, sv.Env...)
	childEnv = append(childEnv, s.serviceEnv(set)...)
	childEnv = append(childEnv, "PORT="+strconv.Itoa(ps.private), "VIRTUAL_ENV="+env.Dir, "DESKLIT_SERVICE_NAME="+sv.Name)
	if ps.secret != "" {
		childEnv = append(childEnv, "DESKLIT_GUARD_SECRET="+ps.secret)
	}
	argv := make([]string, len(sv.Command))
	for i, a := range sv.Command {
		argv[i] = strings.ReplaceAll(a, "{port}", strconv.Itoa(ps.private))
	}
	prog, err := findProgram(argv[0], dir, envLookup(childEnv)("PATH"))
	if err != nil {
		if sv.Optional {
			return supervisor.Spec{}, fmt.Errorf("%w: %v", errLeftOut, err)
		}
		return supervisor.Spec{}, &project.Error{File: sv.File, Key: "services." + sv.Name + ".command",
			Line: sv.Lines["command"], Msg: err.Error()}
	}
	argv[0] = prog
	health := ""
	if sv.Health != "" {
		health = fmt.Sprintf("http://127.0.0.1:%d%s", ps.private, sv.Health)
	}
	return supervisor.Spec{
		Name: sv.Name, Argv: argv, Env: childEnv, Dir: dir,
		Port: ps.private, HealthURL: health, URL: fmt.Sprintf("http://127.0.0.1:%d", ps.public),
		ReadyTimeout: cmp.Or(sv.ReadyTimeout, defaultServiceReadyTimeout), Restart: restartPolicy,
		StopSignal: syscall.SIGTERM, Grace: 2 * time.Second,
	}, nil
}

// errLeftOut marks a service from a Compose file that Desklit cannot run here (its program, such
// as nginx, came with its image): it is left out with a warning, the app runs without it.
var errLeftOut = errors.New("left out")

// serviceRuntime is the environment sv runs in: the app's, or for a service with a dependency
// file of its own (a backend beside the app, with its requirements) an environment of those
// alone, built (or reused) as the app's is, its progress on the window.
func (s *Shell) serviceRuntime(ctx context.Context, p *project.Project, sv project.Service) (pyruntime.Env, error) {
	s.mu.Lock()
	env := s.rt.Env
	s.mu.Unlock()
	if sv.Deps == nil {
		return env, nil
	}
	r, err := s.runtimeRequest(p)
	if err != nil {
		return pyruntime.Env{}, err
	}
	r.Want = pyruntime.Range{}
	if sv.Deps.RequiresPython != "" {
		if r.Want, err = pyruntime.ParseRange(sv.Deps.RequiresPython); err != nil {
			return pyruntime.Env{}, fmt.Errorf("python %q: %w", sv.Deps.RequiresPython, err)
		}
	}
	r.Source = sv.Deps.Source(r.Source.Base)
	r.Plain, r.AuthPackage, r.Imports, r.Early = true, "", nil, nil
	r.Name = p.Name + " (" + sv.Name + ")"
	logw, closeLog := s.buildLog()
	defer closeLog()
	r.Log = logw
	rt, err := pyruntime.Prepare(ctx, r)
	return rt.Env, err
}

// withPath puts dir first on the environment's PATH.
func withPath(env []string, dir string) []string {
	out := make([]string, 0, len(env)+1)
	found := false
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if strings.EqualFold(k, "PATH") && !found {
			kv, found = "PATH="+dir+string(os.PathListSeparator)+v, true
		} else if strings.EqualFold(k, "PATH") {
			continue
		}
		out = append(out, kv)
	}
	if !found {
		out = append(out, "PATH="+dir)
	}
	return out
}

// findProgram finds a command's program as a shell would with the service's PATH (exec.Command
// would search this process's PATH instead); a relative path is the project folder's.
func findProgram(prog, dir, path string) (string, error) {
	if filepath.IsAbs(prog) || strings.ContainsAny(prog, `/\`) {
		p := prog
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("program %q is not found, or is not executable, in %s", prog, dir)
	}
	exts := []string{""}
	if runtime.GOOS == "windows" {
		exts = []string{".exe", ".cmd", ".bat", ""}
	}
	for _, d := range filepath.SplitList(path) {
		for _, ext := range exts {
			if p := filepath.Join(d, prog+ext); d != "" && isExecutable(p) {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("program %q is not found in the project's Python environment or on PATH", prog)
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	return runtime.GOOS == "windows" || st.Mode().Perm()&0o111 != 0
}

// ServiceNames are the supervised services that run for p (nil: the demo), in the order the
// window lists them: Streamlit, the component, the demo API unless p's own services replace it,
// then p's own services in desklit.toml's order.
func ServiceNames(p *project.Project) []string {
	names := []string{"streamlit", "component"}
	if !hasServices(p) {
		names = append(names, "api")
	}
	if p != nil {
		for _, sv := range p.Services {
			names = append(names, sv.Name)
		}
	}
	return names
}

// hasServices reports whether p declares services of its own: then the built-in demo API does
// not run (the project's services are its API), unless p keeps it (demo_api = true).
func hasServices(p *project.Project) bool { return p != nil && len(p.Services) > 0 && !p.DemoAPI }

// switchServices, at a switch to the project now running, stops the services of the one before
// and starts the new one's; the built-in demo API runs only for a project without services.
func (s *Shell) switchServices(ctx context.Context) error {
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	s.stopProjectServices(stopCtx)
	apiRuns := false
	for _, st := range s.sup.Snapshot() {
		if st.Name == "api" {
			apiRuns = st.State != supervisor.Failed && st.State != supervisor.Stopped
		}
	}
	switch want := !hasServices(s.Project()); {
	case want && !apiRuns:
		specs, err := s.goSpecs()
		if err != nil {
			return err
		}
		for _, sp := range specs {
			if sp.Name == "api" {
				if err := s.sup.Start(ctx, sp); err != nil {
					return err
				}
			}
		}
	case !want && apiRuns:
		if err := s.sup.StopService(stopCtx, "api"); err != nil {
			s.log.Warn("stop the demo API", "err", err)
		}
	}
	return s.startProjectServices(ctx, nil)
}
