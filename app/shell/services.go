package shell

import (
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/version"
)

// restartPolicy: back off from 250 ms to 10 s, forgive after 30 s of stable running, and give up
// (Failed) after 5 crashes in 60 s.
var restartPolicy = supervisor.RestartPolicy{
	MaxCrashes:  5,
	Window:      60 * time.Second,
	MinBackoff:  250 * time.Millisecond,
	MaxBackoff:  10 * time.Second,
	StableAfter: 30 * time.Second,
}

// goSpecs are the api and component services: `Exe serve <name>` (this binary or its plain
// desklit sibling). They need the session side
// (the control channel and the store).
func (s *Shell) goSpecs() ([]supervisor.Spec, error) {
	s.mu.Lock()
	ctl := s.ctl
	storeBackend := s.storeSt.Backend
	s.mu.Unlock()
	if ctl == nil {
		return nil, fmt.Errorf("the session side is not ready")
	}
	// The services may be another binary (the plain desklit beside desklit-window): it refuses
	// to start if it comes from another build.
	base := append(s.childEnv(), "DESKLIT_PEER_VERSION="+version.Version)
	sessionSource := "keyring"
	if storeBackend != "keyring" {
		sessionSource = "shell"
	}
	componentEnv := append(base[:len(base):len(base)],
		"DESKLIT_LAUNCH_SECRET="+s.launchSecret,
		"DESKLIT_CONTROL_URL="+ctl.URL(),
		"DESKLIT_CONTROL_TOKEN="+s.controlToken,
		"DESKLIT_SESSION_SOURCE="+sessionSource,
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

// streamlitSpec is the Streamlit service; it needs only the Python runtime, so it can start
// while the session side is still coming up.
func (s *Shell) streamlitSpec() (supervisor.Spec, error) {
	s.mu.Lock()
	env := s.env
	s.mu.Unlock()
	if env.Python == "" {
		return supervisor.Spec{}, fmt.Errorf("the Python runtime is not ready")
	}
	streamlitEnv := append(s.childEnv(),
		"DESKLIT_LAUNCH_SECRET="+s.launchSecret,
		"DESKLIT_COMPONENT_URL="+s.cfg.ComponentURL(),
		"DESKLIT_API_URL="+s.cfg.APIURL(),
		"PYTHONUNBUFFERED=1",
		"PYTHONDONTWRITEBYTECODE=1",
		"STREAMLIT_BROWSER_GATHER_USAGE_STATS=false",
	)
	return supervisor.Spec{
		Name: "streamlit", Argv: pyruntime.StreamlitArgv(env, s.AppPath(), s.cfg.StreamlitPort),
		Env: streamlitEnv, Dir: s.appDir(),
		Port: s.cfg.StreamlitPort, HealthURL: s.cfg.StreamlitURL() + "/_stcore/health",
		ReadyTimeout: 60 * time.Second, Restart: restartPolicy,
		StopSignal: syscall.SIGTERM, Grace: time.Second,
	}, nil
}
