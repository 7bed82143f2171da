package shell

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/version"
	"github.com/desklit/desklit/app/wiring"
)

// restartPolicy: a service that crashes after being Ready for a second comes back after the
// shortest delay (125-250 ms); crashes before Ready or soon after it back off up to 10 s; give up
// (Failed) after 5 crashes in 60 s; 30 s of stable running forgives them.
var restartPolicy = supervisor.RestartPolicy{
	MaxCrashes:  5,
	Window:      60 * time.Second,
	MinBackoff:  250 * time.Millisecond,
	MaxBackoff:  10 * time.Second,
	StableAfter: 30 * time.Second,
	HealthyFor:  time.Second,
}

// streamlitWatch: a script may hold Python's GIL in a long C call, and Streamlit answers its
// health check only between two such calls; it is restarted (losing its sessions) only after a
// minute or more without an answer. The Go services take the supervisor's defaults: a probe
// every 5 s, Unhealthy after 3 failures of 2 s.
var streamlitWatch = supervisor.Watch{Interval: 5 * time.Second, Timeout: 5 * time.Second, Failures: 12}

// goSpecs are the api and component services: `Exe serve <name>` (this binary or its plain
// desklit sibling). They need the session side (the control channel and the store).
func (s *Shell) goSpecs() ([]supervisor.Spec, error) {
	s.mu.Lock()
	ctl := s.ctl
	storeSt := s.storeSt
	s.mu.Unlock()
	if ctl == nil {
		return nil, fmt.Errorf("the session side is not ready")
	}
	// The services may be another binary (the plain desklit beside desklit-window): it refuses
	// to start if it comes from another build.
	base := append(s.childEnv(), version.PeerEnviron())
	componentEnv := append(base[:len(base):len(base)],
		"DESKLIT_LAUNCH_SECRET="+s.launchSecret,
		"DESKLIT_CONTROL_URL="+ctl.URL(),
		"DESKLIT_CONTROL_TOKEN="+s.controlToken,
		"DESKLIT_SESSION_SOURCE="+wiring.SessionSource(storeSt),
	)
	return []supervisor.Spec{
		{
			Name: "api", Argv: []string{s.o.Exe, "serve", "api"}, Env: base,
			Port: s.cfg.APIPort, HealthURL: s.cfg.APIURL() + "/healthz",
			ReadyTimeout: 20 * time.Second, Restart: restartPolicy,
			StopSignal: syscall.SIGTERM, Grace: time.Second,
		},
		{
			Name: "component", Argv: []string{s.o.Exe, "serve", "component"}, Env: componentEnv,
			Port: s.cfg.ComponentPort, HealthURL: s.cfg.ComponentURL() + "/healthz",
			ReadyTimeout: 20 * time.Second, Restart: restartPolicy,
			StopSignal: syscall.SIGTERM, Grace: time.Second,
		},
	}, nil
}

// childEnv is the inherited environment with the effective configuration on top, minus anything
// that must not leak into the services.
func (s *Shell) childEnv() []string {
	return childEnv(s.o.Environ, s.cfg.Environ())
}

func childEnv(inherited, config []string) []string {
	var env []string
	for _, kv := range inherited {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AUTH0_") || strings.HasPrefix(k, "DESKLIT_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, config...)
}

// pythonEnv is the environment of a Python process of the project (Streamlit, its services):
// the user's, with bytecode in the environment's pycache, never the project's folders (a
// __pycache__ there would make Streamlit's file watcher rerun the app; a PYTHONDONTWRITEBYTECODE
// inherited from the user's shell would make every start compile the whole of Streamlit and
// pandas again), and a src-layout project's own package on PYTHONPATH (p.ImportPaths) before
// what the user's PYTHONPATH names.
func (s *Shell) pythonEnv(p *project.Project, env pyruntime.Env) []string {
	out := slices.DeleteFunc(s.childEnv(), func(kv string) bool {
		return strings.HasPrefix(kv, "PYTHONDONTWRITEBYTECODE=") || strings.HasPrefix(kv, "PYTHONPYCACHEPREFIX=")
	})
	out = append(out, "PYTHONUNBUFFERED=1", "PYTHONPYCACHEPREFIX="+env.PycachePrefix())
	if p == nil || len(p.ImportPaths) == 0 {
		return out
	}
	paths := slices.Clone(p.ImportPaths)
	if user := envLookup(out)("PYTHONPATH"); user != "" {
		paths = append(paths, user)
	}
	return append(slices.DeleteFunc(out, func(kv string) bool { return strings.HasPrefix(kv, "PYTHONPATH=") }),
		"PYTHONPATH="+strings.Join(paths, string(os.PathListSeparator)))
}

// streamlitSpec is the Streamlit service of the running project; it needs only the Python
// environment, so it can start while the session side is still coming up. The project runs in
// its own folder, so that its data files, .streamlit/config.toml and secrets.toml are found.
func (s *Shell) streamlitSpec() (supervisor.Spec, error) {
	s.mu.Lock()
	rt, p := s.rt, s.project
	s.streamlitPorts = [3]int{s.cfg.StreamlitPort, s.cfg.ComponentPort, s.cfg.APIPort}
	s.mu.Unlock()
	if len(rt.Argv) == 0 {
		return supervisor.Spec{}, fmt.Errorf("the Python environment is not ready")
	}
	set, err := s.servicePlan(p)
	if err != nil {
		return supervisor.Spec{}, err
	}
	script, dir := rt.Script, rt.Dir // chosen with the runtime (runtimeRequest)
	streamlitEnv := append(s.activated(p, rt.Env), appEnv(p)...)
	streamlitEnv = append(streamlitEnv,
		"DESKLIT_LAUNCH_SECRET="+s.launchSecret,
		"DESKLIT_COMPONENT_URL="+s.cfg.ComponentURL(),
		"DESKLIT_API_URL="+s.cfg.APIURL(),
		"STREAMLIT_BROWSER_GATHER_USAGE_STATS=false",
	)
	streamlitEnv = append(streamlitEnv, s.serviceEnv(set)...)
	argv := slices.Clone(rt.Argv)
	if pyruntime.HasSecretsFiles(rt.Env.Lock.Streamlit) {
		// A Streamlit before 1.38 stops at --secrets.files, and has no st.login to serve.
		secrets := pyruntime.SecretsFlags(dir, script, envLookup(streamlitEnv))
		argv, streamlitEnv, err = s.stLogin(append(argv, secrets...), streamlitEnv, secrets)
		if err != nil {
			return supervisor.Spec{}, err
		}
	}
	plain := false
	if p != nil && !slices.Contains(argv, "desklit_auth.stlogin") {
		uses, err := p.UsesDesklitAuth()
		plain = err == nil && !uses
	}
	s.mu.Lock()
	s.plainPage = plain
	s.mu.Unlock()
	if s.o.Single {
		// A packaged app is its user's, not its developer's: Streamlit's viewer toolbar (no
		// Deploy button, no developer options; a Streamlit before 1.22 has no such option and
		// would stop at it), and no live reload (nobody edits it in place: the watcher would only
		// cost CPU), whatever the project's config.toml says.
		if pyruntime.HasToolbarMode(rt.Env.Lock.Streamlit) {
			argv = append(argv, "--client.toolbarMode", "viewer")
		}
		argv = append(argv, "--server.fileWatcherType", "none", "--server.runOnSave", "false")
	}
	return supervisor.Spec{
		Name: "streamlit", Argv: argv,
		Env: streamlitEnv, Dir: dir,
		Port: s.cfg.StreamlitPort, HealthURL: s.cfg.StreamlitURL() + pyruntime.HealthPath(rt.Env.Lock.Streamlit),
		ReadyTimeout: 60 * time.Second, Restart: restartPolicy, Watch: streamlitWatch,
		StopSignal: syscall.SIGTERM, Grace: time.Second,
	}, nil
}

// activated is the environment of a Python of env, with env first on PATH and VIRTUAL_ENV set, as
// an activated venv has it (and `uv run`, Docker, Community Cloud): an app that starts `uvicorn`
// or `python` in a subprocess gets its environment's.
func (s *Shell) activated(p *project.Project, env pyruntime.Env) []string {
	return append(withPath(s.pythonEnv(p, env), filepath.Dir(env.Python)), "VIRTUAL_ENV="+env.Dir)
}

// appEnv is what a Compose file gives the app's environment; none without a project.
func appEnv(p *project.Project) []string {
	if p == nil {
		return nil
	}
	return p.AppEnv
}
