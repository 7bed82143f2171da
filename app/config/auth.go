package config

import (
	"fmt"
	"maps"
	"strings"
)

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

// ApplyPorts puts a project's [ports] (DESKLIT_*_PORT → port, and where each came from) over the
// configuration file and the defaults; a flag or an environment variable still wins.
func (c *Config) ApplyPorts(values map[string]int, sources map[string]string) error {
	set := map[string]*int{"DESKLIT_STREAMLIT_PORT": &c.StreamlitPort, "DESKLIT_COMPONENT_PORT": &c.ComponentPort,
		"DESKLIT_API_PORT": &c.APIPort, "DESKLIT_CALLBACK_PORT": &c.CallbackPort, "DESKLIT_IDP_PORT": &c.IdPPort}
	for name, port := range values {
		dst, ok := set[name]
		src := c.Sources[name]
		if !ok || (src != "default" && src != "" && !strings.HasPrefix(src, c.File+" line ")) {
			continue
		}
		*dst = port
		c.Sources[name] = sources[name]
	}
	return c.checkDistinctPorts()
}
