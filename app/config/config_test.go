package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ConfigFileName), []byte("# comment\nDESKLIT_API_PORT=7001\nDESKLIT_COMPONENT_PORT=\"7002\"\nDESKLIT_STREAMLIT_PORT=7003\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	got := Flags(fs)
	if err := fs.Parse([]string{"--api-port", "7101"}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(got(), env(map[string]string{"DESKLIT_API_PORT": "7201", "DESKLIT_COMPONENT_PORT": "7202"}), dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		got, want  int
		wantSource string
	}{
		{"DESKLIT_API_PORT", c.APIPort, 7101, "flag --api-port"},
		{"DESKLIT_COMPONENT_PORT", c.ComponentPort, 7202, "environment DESKLIT_COMPONENT_PORT"},
		{"DESKLIT_STREAMLIT_PORT", c.StreamlitPort, 7003, "line 4"},
		{"DESKLIT_CALLBACK_PORT", c.CallbackPort, DefaultCallbackPort, "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %d, want %d", tt.got, tt.want)
			}
			if !strings.Contains(c.Sources[tt.name], tt.wantSource) {
				t.Errorf("source %q, want it to contain %q", c.Sources[tt.name], tt.wantSource)
			}
		})
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(nil, env(nil), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !c.UsesDevIdP() || c.ClientID != DefaultDevClientID || c.Audience != DefaultAudience || c.LoginMode != LoginWindow {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if c.Issuer() != "http://127.0.0.1:9010" || c.StreamlitURL() != "http://127.0.0.1:4010" || c.CallbackURL() != "http://127.0.0.1:9011/callback" {
		t.Fatalf("unexpected URLs: %s %s %s", c.Issuer(), c.StreamlitURL(), c.CallbackURL())
	}
}

func TestLoadErrorsNameSettingAndSource(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.env")
	if err := os.WriteFile(bad, []byte("DESKLIT_API_PORT=8888\nthis is not a setting\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	unknown := filepath.Join(dir, "unknown.env")
	if err := os.WriteFile(unknown, []byte("NOPE=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		flags map[string]string
		env   map[string]string
		want  []string
	}{
		{"port out of range from env", nil, map[string]string{"DESKLIT_API_PORT": "70000"}, []string{"DESKLIT_API_PORT", "environment DESKLIT_API_PORT", "out of range"}},
		{"port not a number from flag", map[string]string{"DESKLIT_STREAMLIT_PORT": "abc"}, nil, []string{"DESKLIT_STREAMLIT_PORT", "flag --streamlit-port", "not a number"}},
		{"malformed file", map[string]string{"config": bad}, nil, []string{"config file", bad, "line 2"}},
		{"unknown key in file", map[string]string{"config": unknown}, nil, []string{"unknown setting", "NOPE"}},
		{"unreadable file", map[string]string{"config": filepath.Join(dir, "missing.env")}, nil, []string{"config file", "missing.env"}},
		{"http issuer off loopback", nil, map[string]string{"AUTH0_ISSUER_BASE_URL": "http://example.com/"}, []string{"AUTH0_ISSUER_BASE_URL", "loopback"}},
		{"bad login mode", nil, map[string]string{"DESKLIT_LOGIN_MODE": "popup"}, []string{"DESKLIT_LOGIN_MODE", "popup"}},
		{"duplicate ports", nil, map[string]string{"DESKLIT_API_PORT": "4010"}, []string{"DESKLIT_API_PORT", "also used by DESKLIT_STREAMLIT_PORT"}},
		{"scope without openid", nil, map[string]string{"AUTH0_SCOPE": "profile"}, []string{"AUTH0_SCOPE", "openid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.flags, env(tt.env), dir)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *config.Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestNormalizeIssuer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"tenant.eu.auth0.com", "https://tenant.eu.auth0.com/"},
		{"https://tenant.auth0.com/", "https://tenant.auth0.com/"},
		{"http://127.0.0.1:9010", "http://127.0.0.1:9010"},
	}
	for _, tt := range tests {
		got, err := NormalizeIssuer(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeIssuer(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestAuth0DomainAlias(t *testing.T) {
	c, err := Load(nil, env(map[string]string{"AUTH0_DOMAIN": "t.auth0.com", "AUTH0_CLIENT_ID": "abc"}), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer() != "https://t.auth0.com/" || c.UsesDevIdP() {
		t.Fatalf("issuer %q", c.Issuer())
	}
}

func TestPathsFrom(t *testing.T) {
	base := t.TempDir() // absolute on every system (C:\... on Windows)
	s, d, c := filepath.Join(base, "s"), filepath.Join(base, "d"), filepath.Join(base, "c")
	p := PathsFrom(env(map[string]string{"XDG_STATE_HOME": s, "XDG_DATA_HOME": d, "XDG_CONFIG_HOME": c}))
	if p.Logs != filepath.Join(s, "desklit", "logs") || p.Data != filepath.Join(d, "desklit") ||
		p.Config != filepath.Join(c, "desklit") || p.Run != filepath.Join(s, "desklit", "run") {
		t.Fatalf("%+v", p)
	}
}

// An empty value in config.env (KEY=, KEY="", KEY=  ) is an error naming the key, the file and
// the line: whoever wrote the line meant something, and port 0 or an empty audience is never it.
// An environment variable that is set but empty means unset, as in a shell.
func TestEmptyValues(t *testing.T) {
	for _, line := range []string{`DESKLIT_API_PORT=`, `DESKLIT_API_PORT=""`, `DESKLIT_API_PORT=  `, `DESKLIT_API_PORT='  '`,
		`AUTH0_AUDIENCE=`, `AUTH0_ISSUER_BASE_URL=`, `AUTH0_DOMAIN=""`, `AUTH0_CLIENT_ID=`, `AUTH0_SCOPE=`,
		`DESKLIT_LOGIN_MODE=`, `DESKLIT_APP=`, `DESKLIT_PYTHON=`, `DESKLIT_ALLOW_PLAINTEXT_SESSION=`} {
		t.Run("file "+line, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, ConfigFileName)
			if err := os.WriteFile(file, []byte("# settings\nDESKLIT_STREAMLIT_PORT=4010\n"+line+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(nil, env(nil), dir)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v (config %+v), want a *config.Error", err, c)
			}
			key, _, _ := strings.Cut(line, "=")
			for _, w := range []string{key, file + " line 3", "empty"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	t.Run("empty flag", func(t *testing.T) {
		_, err := Load(map[string]string{"DESKLIT_API_PORT": ""}, env(nil), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "flag --api-port") || !strings.Contains(err.Error(), "empty") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("empty environment means unset", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ConfigFileName), []byte("DESKLIT_API_PORT=7001\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(nil, env(map[string]string{"DESKLIT_API_PORT": "", "AUTH0_AUDIENCE": "", "AUTH0_ISSUER_BASE_URL": ""}), dir)
		if err != nil {
			t.Fatal(err)
		}
		if c.APIPort != 7001 || c.Audience != DefaultAudience || !c.UsesDevIdP() {
			t.Fatalf("port %d audience %q issuer %q", c.APIPort, c.Audience, c.IssuerURL)
		}
	})
}

// The client id is only needed to sign in: Load takes an issuer without one (the API, the
// component and status never use it), and RequireClientID says what is missing and why.
func TestClientIDRequiredOnlyToSignIn(t *testing.T) {
	c, err := Load(nil, env(map[string]string{"AUTH0_DOMAIN": "tenant.auth0.com"}), t.TempDir())
	if err != nil {
		t.Fatalf("Load refused an issuer without a client id: %v", err)
	}
	err = c.RequireClientID()
	var ce *Error
	if !errors.As(err, &ce) || ce.Setting != "AUTH0_CLIENT_ID" {
		t.Fatalf("RequireClientID = %v, want a *config.Error for AUTH0_CLIENT_ID", err)
	}
	for _, w := range []string{"AUTH0_CLIENT_ID", "required", "https://tenant.auth0.com/", "environment AUTH0_DOMAIN"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	if strings.Contains(err.Error(), "AUTH0_CLIENT_ID (from environment AUTH0_DOMAIN)") {
		t.Errorf("error %q names the issuer's variable as the client id's source", err)
	}
	dev, err := Load(nil, env(nil), t.TempDir())
	if err != nil || dev.RequireClientID() != nil {
		t.Fatalf("dev IdP: %v, %v", err, dev.RequireClientID())
	}
	given, err := Load(nil, env(map[string]string{"AUTH0_DOMAIN": "t.auth0.com", "AUTH0_CLIENT_ID": "abc"}), t.TempDir())
	if err != nil || given.RequireClientID() != nil {
		t.Fatalf("issuer and client id: %v, %v", err, given.RequireClientID())
	}
}

// TestApplyPorts: a project's [ports] go over the defaults and config.env, not over a flag or
// the environment, and must stay distinct.
func TestApplyPorts(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ConfigFileName), []byte("DESKLIT_COMPONENT_PORT=3101\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return map[string]string{"DESKLIT_API_PORT": "8899"}[k] }
	c, err := Load(map[string]string{"DESKLIT_IDP_PORT": "9020"}, getenv, dir)
	if err != nil {
		t.Fatal(err)
	}
	ports := map[string]int{"DESKLIT_STREAMLIT_PORT": 4110, "DESKLIT_COMPONENT_PORT": 3201, "DESKLIT_API_PORT": 8988, "DESKLIT_IDP_PORT": 9110}
	src := map[string]string{"DESKLIT_STREAMLIT_PORT": "desklit.toml line 3", "DESKLIT_COMPONENT_PORT": "desklit.toml line 4"}
	if err := c.ApplyPorts(ports, src); err != nil {
		t.Fatal(err)
	}
	if c.StreamlitPort != 4110 || c.ComponentPort != 3201 || c.APIPort != 8899 || c.IdPPort != 9020 {
		t.Errorf("ports %d %d %d %d: want the project's over the default and the file, not over env or flag",
			c.StreamlitPort, c.ComponentPort, c.APIPort, c.IdPPort)
	}
	if c.Sources["DESKLIT_STREAMLIT_PORT"] != "desklit.toml line 3" {
		t.Errorf("source %q", c.Sources["DESKLIT_STREAMLIT_PORT"])
	}
	var ce *Error
	c2, _ := Load(nil, getenv, dir)
	if err := c2.ApplyPorts(map[string]int{"DESKLIT_STREAMLIT_PORT": 8899}, src); !errors.As(err, &ce) {
		t.Errorf("a project port that another setting uses: %v", err)
	}
}
