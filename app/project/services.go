package project

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/desklit/desklit/app/pathrule"
)

// Service is one of the project's own services ([services.NAME] in desklit.toml): a process
// Desklit supervises beside Streamlit, and with Protect "bearer" guards with its API's checks.
type Service struct {
	Name    string
	Command []string // argv; "{port}" stands for the service's own port
	Health  string   // path answering 2xx when the service is ready ("" = its port accepts)
	Protect string   // ProtectBearer or ProtectNone
	Public  []string // with ProtectBearer: path patterns served without a token
	Scopes  []ScopeRule
	// Port is the fixed public port (desklit.toml port), 0 for one Desklit chooses.
	Port int
	// ReadyTimeout is how long a start may take to answer Health (ready_timeout; 0: Desklit's
	// default).
	ReadyTimeout time.Duration
	// Dir is the folder the service runs in ("" : the project's); Deps, when set, the dependency
	// file there, from which it gets an environment of its own (a backend with its own
	// requirements), else it runs in the app's.
	Dir  string
	Deps *Deps
	// Env is more of its environment (a Compose file's environment:, hosts made 127.0.0.1).
	Env []string
	// Optional: read from a Compose file, not declared for Desklit; when its program is not
	// found (nginx, which the image had) it is left out with a warning instead of stopping the app.
	Optional bool
	// File and Lines say where each key was set (key "command", "health"…, and "" for the
	// table itself), for messages about the service.
	File  string
	Lines map[string]int
}

// ScopeRule says that the paths matching Pattern need Scope (in the file's order: the first
// rule that matches a path applies).
type ScopeRule struct {
	Pattern string
	Scope   string
}

// What a service's protect may be.
const (
	ProtectBearer = "bearer"
	ProtectNone   = "none"
)

// EnvName is the service's name as environment variables carry it: upper-cased, "-" → "_".
func (sv Service) EnvName() string {
	return strings.ToUpper(strings.ReplaceAll(sv.Name, "-", "_"))
}

// Where says where key of the service was set ("desklit.toml line 4"); key "" is the table.
func (sv Service) Where(key string) string {
	if n := sv.Lines[key]; n > 0 {
		return fmt.Sprintf("%s line %d", sv.File, n)
	}
	return sv.File
}

// serviceSettings is one [services.NAME] table.
type serviceSettings struct {
	Command []string          `toml:"command"`
	Health  string            `toml:"health"`
	Protect string            `toml:"protect"`
	Public  []string          `toml:"public"`
	Scopes  map[string]string `toml:"scopes"`
	Port    int               `toml:"port"`
	// ReadyTimeout is a duration string ("20s", "2m").
	ReadyTimeout string `toml:"ready_timeout"`
}

var (
	serviceNameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)
	scopeRE       = regexp.MustCompile(`^[\x21\x23-\x5b\x5d-\x7e]+$`) // RFC 6749 §3.3 scope-token
)

// reservedServiceNames are Desklit's own services' (and log files') names.
var reservedServiceNames = []string{"streamlit", "component", "api", "idp", "callback", "runtime-build", "desklit"}

// serviceKeys are the keys of a [services.NAME] table, for the unknown-key message.
const serviceKeys = "command, health, protect, public, port, ready_timeout, [services.NAME.scopes]"

// The range a service's ready_timeout may take.
const (
	minReadyTimeout = time.Second
	maxReadyTimeout = time.Hour
)

// checkServices validates every [services.NAME] table, in the file's order.
func (s *settings) checkServices() error {
	names := slices.SortedFunc(func(yield func(string) bool) {
		for n := range s.Services {
			if !yield(n) {
				return
			}
		}
	}, func(a, b string) int { return s.lines["services."+a] - s.lines["services."+b] })
	envNames := map[string]string{}
	ports := map[int]string{}
	for _, p := range s.ports() {
		if s.lines[p.key] > 0 {
			ports[p.port] = p.key
		}
	}
	for _, name := range names {
		key := "services." + name
		if !serviceNameRE.MatchString(name) {
			return s.bad(key, "%q is not a service name: lower-case letters, digits, - and _, starting with a letter (at most 40)", name)
		}
		if slices.Contains(reservedServiceNames, name) {
			return s.bad(key, "%q is the name of one of Desklit's own services: choose another (%s are taken)", name, strings.Join(reservedServiceNames, ", "))
		}
		env := Service{Name: name}.EnvName()
		if other, dup := envNames[env]; dup {
			return s.bad(key, "two services on one name: %q and %q are both DESKLIT_SERVICE_%s_URL", other, name, env)
		}
		envNames[env] = name
		if err := s.checkService(key, s.Services[name], ports); err != nil {
			return err
		}
	}
	return nil
}

func (s *settings) checkService(key string, sv serviceSettings, ports map[int]string) error {
	if sv.Command == nil {
		return s.bad(key, "has no command: add command = [\"python\", \"api.py\"] (the program and its arguments)")
	}
	if len(sv.Command) == 0 || strings.TrimSpace(sv.Command[0]) == "" {
		return s.bad(key+".command", "must name a program: command = [\"python\", \"api.py\"]")
	}
	if s.lines[key+".health"] > 0 && !strings.HasPrefix(sv.Health, "/") {
		return s.bad(key+".health", "%q must be a path starting with /, such as \"/healthz\"", sv.Health)
	}
	switch sv.Protect {
	case ProtectBearer, ProtectNone:
	case "":
		if s.lines[key+".protect"] > 0 {
			return s.bad(key+".protect", `must be "bearer" or "none"`)
		}
	default:
		return s.bad(key+".protect", `%q must be "bearer" (Desklit checks the access token) or "none" (the service checks it)`, sv.Protect)
	}
	if sv.Protect != ProtectBearer {
		for _, k := range []string{"public", "scopes"} {
			if s.lines[key+"."+k] > 0 {
				return s.bad(key+"."+k, `applies only with protect = "bearer"`)
			}
		}
	}
	for _, p := range sv.Public {
		if err := pathrule.Check(p); err != nil {
			return s.bad(key+".public", "%q %v", p, err)
		}
	}
	for pattern, scope := range sv.Scopes {
		if err := pathrule.Check(pattern); err != nil {
			return s.bad(key+".scopes."+pattern, "%q is not a valid path pattern: it %v", pattern, err)
		}
		if !scopeRE.MatchString(scope) {
			return s.bad(key+".scopes."+pattern, "%q is not one scope (no spaces or quotes)", scope)
		}
	}
	if s.lines[key+".ready_timeout"] > 0 {
		if _, err := readyTimeout(sv.ReadyTimeout); err != nil {
			return s.bad(key+".ready_timeout", "%v", err)
		}
	}
	if n := s.lines[key+".port"]; n > 0 {
		if sv.Port < 1024 || sv.Port > 65535 {
			return s.bad(key+".port", "port %d is outside 1024-65535", sv.Port)
		}
		if other, dup := ports[sv.Port]; dup {
			return s.bad(key+".port", "port %d is also %s", sv.Port, other)
		}
		ports[sv.Port] = key + ".port"
	}
	return nil
}

// services are the checked [services.*] tables as Services, in the file's order.
func (s *settings) services() []Service {
	var out []Service
	for name, sv := range s.Services {
		key := "services." + name
		lines := map[string]int{"": s.lines[key]}
		for _, k := range []string{"command", "health", "protect", "public", "port", "ready_timeout"} {
			lines[k] = s.lines[key+"."+k]
		}
		var rules []ScopeRule
		for pattern, scope := range sv.Scopes {
			rules = append(rules, ScopeRule{Pattern: pattern, Scope: scope})
		}
		slices.SortFunc(rules, func(a, b ScopeRule) int {
			return s.lines[key+".scopes."+a.Pattern] - s.lines[key+".scopes."+b.Pattern]
		})
		protect := sv.Protect
		if protect == "" {
			protect = ProtectNone
		}
		ready, _ := readyTimeout(sv.ReadyTimeout) // checked by checkService
		out = append(out, Service{Name: name, Command: loopback(sv.Command), Health: sv.Health, Protect: protect,
			Public: sv.Public, Scopes: rules, Port: sv.Port, ReadyTimeout: ready, File: s.file, Lines: lines})
	}
	slices.SortFunc(out, func(a, b Service) int { return a.Lines[""] - b.Lines[""] })
	return out
}

// readyTimeout reads a ready_timeout value ("" is 0: the default).
func readyTimeout(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write it as \"20s\", \"90s\" or \"2m\"", v)
	}
	if d < minReadyTimeout || d > maxReadyTimeout {
		return 0, fmt.Errorf("%q is outside %s to %s", v, minReadyTimeout, maxReadyTimeout)
	}
	return d, nil
}
