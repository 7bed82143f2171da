package shell

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/project"
)

// An app whose secrets have [auth] starts through desklit_auth.stlogin with Desklit's secrets
// file named last and the broker's issuer in its environment; any other app is left as it was.
func TestStLoginAppStartsThroughTheBroker(t *testing.T) {
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.toml")
	if err := os.WriteFile(secrets, []byte("[auth]\nclient_id = \"app\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain.toml")
	if err := os.WriteFile(plain, []byte("api_key = \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := New(Options{Config: &config.Config{StreamlitPort: 4010}, Paths: config.Paths{Run: filepath.Join(dir, "run")}})
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	argv := []string{"/env/bin/python", "-m", "streamlit", "run", "app.py"}

	got, env, err := s.stLogin(slices.Clone(argv), []string{"A=1"}, []string{"--secrets.files", plain})
	if err != nil || !slices.Equal(got, argv) || !slices.Equal(env, []string{"A=1"}) {
		t.Fatalf("an app without [auth]: %v %v %v", got, env, err)
	}
	if s.broker != nil {
		t.Fatal("no broker for an app without [auth]")
	}

	got, env, err = s.stLogin(slices.Clone(argv), []string{"A=1"}, []string{"--secrets.files", plain, "--secrets.files", secrets})
	if err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(dir, "run", "streamlit-auth-secrets.toml")
	want := []string{"/env/bin/python", "-m", "desklit_auth.stlogin", "run", "app.py", "--secrets.files", own}
	if !slices.Equal(got, want) {
		t.Fatalf("argv %v, want %v", got, want)
	}
	if !slices.Contains(env, "DESKLIT_STLOGIN_ISSUER="+s.broker.Issuer()) {
		t.Fatalf("env %v", env)
	}
	if s.broker.RedirectURI() != "http://127.0.0.1:4010/oauth2callback" {
		t.Fatalf("redirect URI %s", s.broker.RedirectURI())
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(own); !os.IsNotExist(err) {
		t.Fatalf("the secrets file outlives the shell: %v", err)
	}
}

// A packaged st.login app has no secrets.toml (the package left it out): the shape the package
// kept makes Desklit's [auth] stand in for it.
func TestPackagedStLoginAppStartsThroughTheBroker(t *testing.T) {
	dir := t.TempDir()
	p := &project.Project{Dir: dir, StLogin: &project.StLogin{Providers: []string{"google"}, ExposeTokens: "access"}}
	s := New(Options{Config: &config.Config{StreamlitPort: 4010}, Paths: config.Paths{Run: filepath.Join(dir, "run")}, Project: p})
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	argv := []string{"/env/bin/python", "-m", "streamlit", "run", "app.py"}
	got, env, err := s.stLogin(slices.Clone(argv), nil, nil)
	if err != nil || len(got) != 7 || got[2] != "desklit_auth.stlogin" || len(env) != 1 {
		t.Fatalf("argv %v env %v err %v", got, env, err)
	}
	data, err := os.ReadFile(got[6])
	if err != nil || !strings.Contains(string(data), "[auth.google]") || !strings.Contains(string(data), "expose_tokens = 'access'") {
		t.Fatalf("secrets file: %v\n%s", err, data)
	}
}

// An st.login app cloned without its secrets.toml (a public repository leaves it out): its code
// says it signs in and with which providers, and Desklit's [auth] has each; an app whose secrets
// do have an [auth] gets the providers its code names beside its own.
func TestClonedStLoginAppStartsThroughTheBroker(t *testing.T) {
	dir := t.TempDir()
	app := "import streamlit as st\nif st.button('Auth0 Login'):\n    st.login(provider=\"auth0\")\n"
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	s := New(Options{Config: &config.Config{StreamlitPort: 4010}, Paths: config.Paths{Run: filepath.Join(dir, "run")},
		Project: &project.Project{Dir: dir}})
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	argv := []string{"/env/bin/python", "-m", "streamlit", "run", "app.py"}
	secrets := filepath.Join(dir, "secrets.toml")
	for _, tt := range []struct {
		secrets string
		want    []string
	}{
		{"", []string{"[auth.auth0]"}},
		{"[auth.google]\nclient_id = \"app\"\n", []string{"[auth.auth0]", "[auth.google]"}},
	} {
		if tt.secrets != "" {
			if err := os.WriteFile(secrets, []byte(tt.secrets), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		got, _, err := s.stLogin(slices.Clone(argv), nil, []string{"--secrets.files", secrets})
		if err != nil || len(got) != 7 || got[2] != "desklit_auth.stlogin" {
			t.Fatalf("argv %v err %v", got, err)
		}
		data, err := os.ReadFile(got[6])
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(data), w) {
				t.Errorf("secrets %q: Desklit's secrets file lacks %s:\n%s", tt.secrets, w, data)
			}
		}
	}
}
