// Package config loads Desklit's settings with the precedence flag > environment > config file >
// default, and remembers where each value came from so that an error can name its source.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
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

	// AppID is the app the configuration is for: "desklit", or a packaged app's id. It names the
	// keyring entries and the single instance.
	AppID string

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

// Load builds the configuration from flag values (keyed by variable name, plus "config" for the
// file), the environment and the config file. configDir is where the default file lives.
func Load(flags map[string]string, getenv func(string) string, configDir string) (*Config, error) {
	c := &Config{AppID: DefaultAppID, Sources: map[string]string{}}
	file, fileVals, err := configFile(flags, getenv, configDir)
	if err != nil {
		return nil, err
	}
	if fileVals != nil {
		c.File = file
	}
	for _, s := range settings() {
		val, src, key, found := lookup(s, flags, getenv, file, fileVals)
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

// configFile reads the config file: --config, else DESKLIT_CONFIG (either must exist), else the
// one in configDir (nil values when it does not exist).
func configFile(flags map[string]string, getenv func(string) string, configDir string) (string, map[string]fileValue, error) {
	file := filepath.Join(configDir, ConfigFileName)
	explicit := false
	if f, ok := flags["config"]; ok && f != "" {
		file, explicit = f, true
	} else if f := getenv("DESKLIT_CONFIG"); f != "" {
		file, explicit = f, true
	}
	vals, err := readFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return file, nil, nil
	case err != nil:
		return file, nil, &Error{Setting: "config file", Source: file, Err: err}
	}
	return file, vals, nil
}

// lookup finds a setting's value by precedence: its flag, then the environment, then the config
// file (under its name or an alias). key is the name it was given under; src says where.
func lookup(s setting, flags map[string]string, getenv func(string) string, file string, fileVals map[string]fileValue) (val, src, key string, found bool) {
	if v, ok := flags[s.env]; ok {
		return v, "flag --" + s.flag, s.env, true
	}
	names := append([]string{s.env}, s.alias...)
	for _, name := range names {
		// Set but empty means unset, as a shell script would read it.
		if v := getenv(name); v != "" {
			return v, "environment " + name, name, true
		}
	}
	for _, name := range names {
		if fv, ok := fileVals[name]; ok {
			return fv.value, fmt.Sprintf("%s line %d", file, fv.line), name, true
		}
	}
	return "", "", s.env, false
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
