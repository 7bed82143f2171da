// Package config loads Desklit's settings with the precedence flag > environment > config file >
// default, and remembers where each value came from so that an error can name its source.
package config

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Defaults that users and scripts rely on (see ARCHITECTURE.md).
const (
	DefaultStreamlitPort = 4010
	DefaultComponentPort = 3001
	DefaultAPIPort       = 8888
	DefaultCallbackPort  = 9011
	DefaultIdPPort       = 9010
	DefaultAudience      = "https://api.desklit.local"
	DefaultScope         = "openid profile email offline_access"
	DefaultDevClientID   = "desklit-desktop"
	ConfigFileName       = "config.env"
)

// Login modes.
const (
	LoginWindow  = "window"
	LoginBrowser = "browser"
)

// Config is the effective configuration.
type Config struct {
	// IssuerURL is the OIDC issuer; empty means the embedded dev IdP.
	IssuerURL string
	ClientID  string
	Audience  string
	Scope     string
	LoginMode string
	// AppPath is the project to open (a folder or a .py script); empty means the last one
	// opened, else the bundled demo.
	AppPath string
	// Offline keeps the package index off: environments are built from local wheels only.
	Offline bool
	// FindLinks are more local wheel folders for the environments.
	FindLinks []string
	// Python is the interpreter to build the runtime from; empty means found automatically.
	Python string

	StreamlitPort int
	ComponentPort int
	APIPort       int
	CallbackPort  int
	IdPPort       int

	// AllowPlaintextSession is the user's explicit opt-in to keep the session in a 0600 file
	// when no keyring is available.
	AllowPlaintextSession bool

	// File is the config file that was read (empty when none existed).
	File string
	// Sources maps a setting's variable name to where its value came from.
	Sources map[string]string

	// global is the configuration before a project's [auth] was applied (ApplyProject).
	global *Config
}

// UsesDevIdP reports whether the embedded provider is the issuer.
func (c *Config) UsesDevIdP() bool { return c.IssuerURL == "" }

// Issuer returns the issuer URL actually used, the dev IdP's when none is configured.
func (c *Config) Issuer() string {
	if c.IssuerURL != "" {
		return c.IssuerURL
	}
	return fmt.Sprintf("http://127.0.0.1:%d", c.IdPPort)
}

// StreamlitURL, ComponentURL and APIURL are the services' base URLs (127.0.0.1, never localhost).
func (c *Config) StreamlitURL() string { return fmt.Sprintf("http://127.0.0.1:%d", c.StreamlitPort) }
func (c *Config) ComponentURL() string { return fmt.Sprintf("http://127.0.0.1:%d", c.ComponentPort) }
func (c *Config) APIURL() string       { return fmt.Sprintf("http://127.0.0.1:%d", c.APIPort) }

// Ports are every port the configuration uses.
func (c *Config) Ports() []int {
	return []int{c.StreamlitPort, c.ComponentPort, c.APIPort, c.CallbackPort, c.IdPPort}
}

// CallbackURL is the loopback redirect URI registered with the provider.
func (c *Config) CallbackURL() string {
	return fmt.Sprintf("http://127.0.0.1:%d/callback", c.CallbackPort)
}

// Error is a bad or missing setting: it names the setting and, when it was given, where its
// value came from.
type Error struct {
	Setting string
	Source  string // empty for a setting that is missing
	Err     error
}

func (e *Error) Error() string {
	if e.Source == "" {
		return fmt.Sprintf("%s %v", e.Setting, e.Err)
	}
	return fmt.Sprintf("invalid %s (from %s): %v", e.Setting, e.Source, e.Err)
}
func (e *Error) Unwrap() error { return e.Err }

type setting struct {
	env      string   // canonical variable name
	alias    []string // other variable names accepted
	flag     string
	usage    string
	def      string
	validate func(string) error
	assign   func(*Config, string)
}

func portSetting(env, fl, usage string, def int, set func(*Config, int)) setting {
	return setting{env: env, flag: fl, usage: usage, def: strconv.Itoa(def),
		validate: func(v string) error { _, err := parsePort(v); return err },
		assign:   func(c *Config, v string) { p, _ := parsePort(v); set(c, p) }}
}

func settings() []setting {
	return []setting{
		{env: "AUTH0_ISSUER_BASE_URL", alias: []string{"AUTH0_DOMAIN"}, flag: "issuer",
			usage:    "OIDC issuer URL or Auth0 domain (default: the embedded dev IdP)",
			validate: func(v string) error { _, err := NormalizeIssuer(v); return err },
			assign:   func(c *Config, v string) { c.IssuerURL, _ = NormalizeIssuer(v) }},
		{env: "AUTH0_CLIENT_ID", flag: "client-id", usage: "OAuth client id (public native client)",
			assign: func(c *Config, v string) { c.ClientID = v }},
		{env: "AUTH0_AUDIENCE", flag: "audience", usage: "API identifier required in the access token's aud", def: DefaultAudience,
			validate: nonEmpty, assign: func(c *Config, v string) { c.Audience = v }},
		{env: "AUTH0_SCOPE", flag: "scope", usage: "scopes to request", def: DefaultScope,
			validate: func(v string) error {
				if !strings.Contains(" "+v+" ", " openid ") {
					return errors.New(`must include "openid"`)
				}
				return nil
			},
			assign: func(c *Config, v string) { c.Scope = strings.Join(strings.Fields(v), " ") }},
		{env: "DESKLIT_LOGIN_MODE", flag: "login-mode", usage: "window or browser", def: LoginWindow,
			validate: func(v string) error {
				if v != LoginWindow && v != LoginBrowser {
					return fmt.Errorf("%q is not %q or %q", v, LoginWindow, LoginBrowser)
				}
				return nil
			},
			assign: func(c *Config, v string) { c.LoginMode = v }},
		{env: "DESKLIT_APP", flag: "app", usage: "the Streamlit project to open: a folder or a .py script (default: the last one opened, else the bundled demo)",
			validate: func(v string) error {
				if _, err := os.Stat(v); err != nil {
					return errors.Unwrap(err)
				}
				return nil
			},
			assign: func(c *Config, v string) { c.AppPath, _ = filepath.Abs(v) }},
		{env: "DESKLIT_OFFLINE", flag: "offline", usage: "never use the package index: environments come from local wheels only", def: "false",
			validate: func(v string) error { _, err := strconv.ParseBool(v); return err },
			assign:   func(c *Config, v string) { c.Offline, _ = strconv.ParseBool(v) }},
		{env: "DESKLIT_FIND_LINKS", flag: "find-links", usage: "more folders of wheels for the environments, separated by " + string(os.PathListSeparator),
			assign: func(c *Config, v string) { c.FindLinks = filepath.SplitList(v) }},
		{env: "DESKLIT_PYTHON", flag: "python", usage: "the Python to build the runtime from",
			assign: func(c *Config, v string) { c.Python = v }},
		portSetting("DESKLIT_STREAMLIT_PORT", "streamlit-port", "Streamlit port", DefaultStreamlitPort, func(c *Config, p int) { c.StreamlitPort = p }),
		portSetting("DESKLIT_COMPONENT_PORT", "component-port", "component server port", DefaultComponentPort, func(c *Config, p int) { c.ComponentPort = p }),
		portSetting("DESKLIT_API_PORT", "api-port", "protected API port", DefaultAPIPort, func(c *Config, p int) { c.APIPort = p }),
		portSetting("DESKLIT_CALLBACK_PORT", "callback-port", "sign-in callback port", DefaultCallbackPort, func(c *Config, p int) { c.CallbackPort = p }),
		portSetting("DESKLIT_IDP_PORT", "idp-port", "embedded dev IdP port", DefaultIdPPort, func(c *Config, p int) { c.IdPPort = p }),
		{env: "DESKLIT_ALLOW_PLAINTEXT_SESSION", flag: "allow-plaintext-session",
			usage: "keep the session in a 0600 file when no keyring is available (opt-in)", def: "false",
			validate: func(v string) error { _, err := strconv.ParseBool(v); return err },
			assign:   func(c *Config, v string) { c.AllowPlaintextSession, _ = strconv.ParseBool(v) }},
	}
}

func nonEmpty(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func parsePort(v string) (int, error) {
	p, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", v)
	}
	if p < 1 || p > 65535 {
		return 0, fmt.Errorf("port %d is out of range 1-65535", p)
	}
	return p, nil
}

// NormalizeIssuer turns an Auth0 domain or issuer URL into an issuer URL. http:// is accepted
// only on loopback. An Auth0 issuer keeps its trailing slash, as Auth0 puts it in "iss".
func NormalizeIssuer(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if !strings.Contains(v, "://") {
		// An Auth0 domain such as "tenant.eu.auth0.com": Auth0's iss is "https://<domain>/".
		v = "https://" + strings.TrimSuffix(v, "/") + "/"
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", fmt.Errorf("not a URL: %w", err)
	}
	if u.Host == "" {
		return "", errors.New("no host")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
			return "", errors.New("http:// is accepted only on loopback; use https://")
		}
	default:
		return "", fmt.Errorf("scheme %q is not https", u.Scheme)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("must not have a query or fragment")
	}
	return v, nil
}

// Flags registers the configuration flags on fs and returns a function that reports the values
// that were set on the command line.
func Flags(fs *flag.FlagSet) func() map[string]string {
	vals := map[string]*string{}
	for _, s := range settings() {
		vals[s.env] = fs.String(s.flag, "", s.usage+" ["+s.env+"]")
	}
	cfgFile := fs.String("config", "", "configuration file (default: $XDG_CONFIG_HOME/desklit/"+ConfigFileName+")")
	return func() map[string]string {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		out := map[string]string{}
		for _, s := range settings() {
			if set[s.flag] {
				out[s.env] = *vals[s.env]
			}
		}
		if set["config"] {
			out["config"] = *cfgFile
		}
		return out
	}
}

// Load builds the configuration from flag values (keyed by variable name, plus "config" for the
// file), the environment and the config file. configDir is where the default file lives.
func Load(flags map[string]string, getenv func(string) string, configDir string) (*Config, error) {
	c := &Config{Sources: map[string]string{}}
	file := filepath.Join(configDir, ConfigFileName)
	explicitFile := false
	if f, ok := flags["config"]; ok && f != "" {
		file, explicitFile = f, true
	} else if f := getenv("DESKLIT_CONFIG"); f != "" {
		file, explicitFile = f, true
	}
	fileVals, err := readFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicitFile:
		fileVals = nil
	case err != nil:
		return nil, &Error{Setting: "config file", Source: file, Err: err}
	default:
		c.File = file
	}
	for _, s := range settings() {
		// key is the name the value was given under (a flag's setting, or an alias).
		val, src, key, found := "", "", s.env, false
		if v, ok := flags[s.env]; ok {
			val, src, found = v, "flag --"+s.flag, true
		}
		for _, name := range append([]string{s.env}, s.alias...) {
			if found {
				break
			}
			// Set but empty means unset, as a shell script would read it.
			if v := getenv(name); v != "" {
				val, src, key, found = v, "environment "+name, name, true
			}
		}
		for _, name := range append([]string{s.env}, s.alias...) {
			if found {
				break
			}
			if fv, ok := fileVals[name]; ok {
				val, src, key, found = fv.value, fmt.Sprintf("%s line %d", file, fv.line), name, true
			}
		}
		if !found {
			val, src = s.def, "default"
		}
		// An empty value written in the file or given as a flag is a mistake, never "the
		// default": it would be port 0 or an empty audience.
		if found && strings.TrimSpace(val) == "" {
			hint := "remove or comment out the line to use the default"
			if strings.HasPrefix(src, "flag ") {
				hint = "leave the flag out to use the default"
			}
			return nil, &Error{Setting: key, Source: src, Err: errors.New("is empty; " + hint)}
		}
		if val != "" && s.validate != nil {
			if err := s.validate(val); err != nil {
				return nil, &Error{Setting: s.env, Source: src, Err: err}
			}
		}
		if val != "" {
			s.assign(c, val)
		}
		c.Sources[s.env] = src
	}
	if c.ClientID == "" && c.UsesDevIdP() {
		c.ClientID = DefaultDevClientID
	}
	if err := c.checkDistinctPorts(); err != nil {
		return nil, err
	}
	return c, nil
}

// AuthSettings are the sign-in settings a project's desklit.toml [auth] may set.
var AuthSettings = []string{"AUTH0_ISSUER_BASE_URL", "AUTH0_CLIENT_ID", "AUTH0_AUDIENCE", "AUTH0_SCOPE"}

// ApplyProject puts a project's [auth] settings (AUTH0_* name → value, and where each came from)
// over the configuration file and the defaults; a flag or an environment variable still wins.
func (c *Config) ApplyProject(values, sources map[string]string) {
	if c.global == nil {
		c.global = &Config{IssuerURL: c.IssuerURL, ClientID: c.ClientID, Audience: c.Audience, Scope: c.Scope,
			File: c.File, Sources: maps.Clone(c.Sources)}
	}
	g := c.global
	c.IssuerURL, c.ClientID, c.Audience, c.Scope = g.IssuerURL, g.ClientID, g.Audience, g.Scope
	for _, name := range AuthSettings {
		c.Sources[name] = g.Sources[name]
	}
	for _, name := range AuthSettings {
		v := values[name]
		src := g.Sources[name]
		if v == "" || (src != "default" && src != "" && !strings.HasPrefix(src, c.File+" line ")) {
			continue
		}
		switch name {
		case "AUTH0_ISSUER_BASE_URL":
			c.IssuerURL = v
			if g.Sources["AUTH0_CLIENT_ID"] == "default" {
				c.ClientID = "" // the dev IdP's client is not the project issuer's
			}
		case "AUTH0_CLIENT_ID":
			c.ClientID = v
		case "AUTH0_AUDIENCE":
			c.Audience = v
		case "AUTH0_SCOPE":
			c.Scope = v
		}
		c.Sources[name] = sources[name]
	}
	if c.ClientID == "" && c.UsesDevIdP() {
		c.ClientID = DefaultDevClientID
	}
}

// Auth is the effective sign-in settings (AuthSettings → value).
func (c *Config) Auth() map[string]string {
	return map[string]string{"AUTH0_ISSUER_BASE_URL": c.IssuerURL, "AUTH0_CLIENT_ID": c.ClientID,
		"AUTH0_AUDIENCE": c.Audience, "AUTH0_SCOPE": c.Scope}
}

// AuthFor is what Auth would be with another project's [auth] applied, c unchanged.
func (c *Config) AuthFor(values, sources map[string]string) map[string]string {
	cp := *c
	cp.Sources = maps.Clone(c.Sources)
	cp.ApplyProject(values, sources)
	return cp.Auth()
}

// RequireClientID is for what signs in (the window, run, login): with an issuer of its own the
// client id has no default. Load does not ask for it, because the API, the component server and
// status never use it.
func (c *Config) RequireClientID() error {
	if c.ClientID != "" {
		return nil
	}
	return &Error{Setting: "AUTH0_CLIENT_ID", Err: fmt.Errorf(
		"is required to sign in with the issuer %s (AUTH0_ISSUER_BASE_URL from %s): set it to the client id of your native application",
		c.IssuerURL, c.Sources["AUTH0_ISSUER_BASE_URL"])}
}

func (c *Config) checkDistinctPorts() error {
	seen := map[int]string{}
	for _, p := range []struct {
		name string
		port int
	}{{"DESKLIT_STREAMLIT_PORT", c.StreamlitPort}, {"DESKLIT_COMPONENT_PORT", c.ComponentPort},
		{"DESKLIT_API_PORT", c.APIPort}, {"DESKLIT_CALLBACK_PORT", c.CallbackPort}, {"DESKLIT_IDP_PORT", c.IdPPort}} {
		if other, ok := seen[p.port]; ok {
			return &Error{Setting: p.name, Source: c.Sources[p.name], Err: fmt.Errorf("port %d is also used by %s", p.port, other)}
		}
		seen[p.port] = p.name
	}
	return nil
}

type fileValue struct {
	value string
	line  int
}

// readFile parses KEY=VALUE lines; blank lines and # comments are ignored, values may be quoted.
func readFile(path string) (map[string]fileValue, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	known := map[string]bool{"DESKLIT_CONFIG": false}
	for _, s := range settings() {
		known[s.env] = true
		for _, a := range s.alias {
			known[a] = true
		}
	}
	out := map[string]fileValue{}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("line %d: expected KEY=VALUE", n)
		}
		if !known[k] {
			return nil, fmt.Errorf("line %d: unknown setting %q", n, k)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out[k] = fileValue{value: v, line: n}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Setting is one effective setting: its variable, its value ("" when unset) and where the value
// came from.
type Setting struct {
	Name   string // the environment variable, e.g. DESKLIT_API_PORT
	Value  string
	Source string // "default", "flag --api-port", "environment DESKLIT_API_PORT", "<file> line 3"…
}

// Effective lists the settings and their sources, for `desklit doctor` and diagnostics. It holds
// no secrets: the configuration has none.
func (c *Config) Effective() []Setting {
	var rows []Setting
	get := map[string]string{
		"AUTH0_ISSUER_BASE_URL":           c.Issuer(),
		"AUTH0_CLIENT_ID":                 c.ClientID,
		"AUTH0_AUDIENCE":                  c.Audience,
		"AUTH0_SCOPE":                     c.Scope,
		"DESKLIT_LOGIN_MODE":              c.LoginMode,
		"DESKLIT_APP":                     c.AppPath,
		"DESKLIT_OFFLINE":                 strconv.FormatBool(c.Offline),
		"DESKLIT_FIND_LINKS":              strings.Join(c.FindLinks, string(os.PathListSeparator)),
		"DESKLIT_PYTHON":                  c.Python,
		"DESKLIT_STREAMLIT_PORT":          strconv.Itoa(c.StreamlitPort),
		"DESKLIT_COMPONENT_PORT":          strconv.Itoa(c.ComponentPort),
		"DESKLIT_API_PORT":                strconv.Itoa(c.APIPort),
		"DESKLIT_CALLBACK_PORT":           strconv.Itoa(c.CallbackPort),
		"DESKLIT_IDP_PORT":                strconv.Itoa(c.IdPPort),
		"DESKLIT_ALLOW_PLAINTEXT_SESSION": strconv.FormatBool(c.AllowPlaintextSession),
	}
	for _, s := range settings() {
		rows = append(rows, Setting{Name: s.env, Value: get[s.env], Source: c.Sources[s.env]})
	}
	return rows
}

// Environ renders the configuration as environment variables for child processes (the services
// are the same binary and load their configuration the same way).
func (c *Config) Environ() []string {
	var env []string
	for _, s := range c.Effective() {
		if s.Name == "AUTH0_ISSUER_BASE_URL" && c.UsesDevIdP() {
			continue
		}
		if s.Value != "" {
			env = append(env, s.Name+"="+s.Value)
		}
	}
	return env
}
