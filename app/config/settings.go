package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// setting is one row of the settings table: its variables, its flag, its default and its check.
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
	cfgFile := fs.String("config", "", "configuration file (default: "+FileHint(runtime.GOOS)+")")
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

// FileHint is where config.env is looked for, as a user of goos would write it (the folders
// github.com/adrg/xdg gives, which PathsFrom uses).
func FileHint(goos string) string {
	switch goos {
	case "windows":
		return `%LOCALAPPDATA%\desklit\` + ConfigFileName
	case "darwin":
		return "~/Library/Application Support/desklit/" + ConfigFileName
	}
	return "$XDG_CONFIG_HOME/desklit/" + ConfigFileName
}
