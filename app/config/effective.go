package config

import (
	"os"
	"strconv"
	"strings"
)

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
