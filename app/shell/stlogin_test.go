package shell

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/desklit/desklit/app/config"
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
}
