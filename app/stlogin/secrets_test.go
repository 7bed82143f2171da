package stlogin

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

func TestReadAppAuthTakesTheLastFileWithAnAuthSection(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home.toml")
	proj := filepath.Join(dir, "project.toml")
	bad := filepath.Join(dir, "bad.toml")
	_ = os.WriteFile(home, []byte("[auth]\nclient_id = \"home\"\n"), 0o600)
	_ = os.WriteFile(proj, []byte(`api_key = "x"
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "c"
client_id = "app"
client_secret = "s"
server_metadata_url = "https://idp.example/.well-known/openid-configuration"
expose_tokens = ["id", "access"]
client_kwargs = { prompt = "login" }
[auth.google]
client_id = "g"
[auth.okta]
client_id = "o"
`), 0o600)
	_ = os.WriteFile(bad, []byte("[auth\n"), 0o600)

	a, err := ReadAppAuth([]string{home, filepath.Join(dir, "absent.toml"), proj})
	if err != nil {
		t.Fatal(err)
	}
	if a.File != proj || a.ClientID != "app" || a.ClientSecret != "s" ||
		a.ServerMetadataURL != "https://idp.example/.well-known/openid-configuration" ||
		!reflect.DeepEqual(a.Providers, []string{"google", "okta"}) || a.ClientKwargs["prompt"] != "login" {
		t.Fatalf("got %+v", a)
	}
	if a, err := ReadAppAuth([]string{filepath.Join(dir, "absent.toml")}); a != nil || err != nil {
		t.Fatalf("no [auth]: %+v %v", a, err)
	}
	if _, err := ReadAppAuth([]string{bad}); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("bad TOML: %v", err)
	}
}

func TestWriteSecretsPointsEveryProviderAtTheBroker(t *testing.T) {
	b, err := New(func() Sessions { return nil }, redirectURI, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.ln.Close()
	dir := filepath.Join(t.TempDir(), "run")
	// The app's own [auth] (verobeach7/crewai reads st.secrets["auth"]["allowed_users"]): its keys
	// of its own are carried, Streamlit's sign-in keys are Desklit's.
	app := filepath.Join(t.TempDir(), "secrets.toml")
	if err := os.WriteFile(app, []byte("[auth]\nallowed_users = [\"ada@example.com\"]\nclient_id = \"apps\"\ncookie_secret = \"apps\"\n"+
		"expose_tokens = [\"id\", \"access\"]\n[auth.google]\nclient_id = \"g\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	own, err := ReadAppAuth([]string{app})
	if err != nil || !reflect.DeepEqual(own.Providers, []string{"google"}) || !reflect.DeepEqual(own.Extra, map[string]any{"allowed_users": []any{"ada@example.com"}}) {
		t.Fatalf("ReadAppAuth = %+v, %v", own, err)
	}
	path, err := b.WriteSecrets(dir, own)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) { // Windows has no mode bits
		t.Fatalf("mode %v %v", st.Mode(), err)
	}
	data, _ := os.ReadFile(path)
	var doc struct {
		Auth map[string]any `toml:"auth"`
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	a := doc.Auth
	if a["redirect_uri"] != redirectURI || a["client_id"] != ClientID || a["client_secret"] != b.ClientSecret() ||
		a["server_metadata_url"] != b.MetadataURL() || len(a["cookie_secret"].(string)) < 32 ||
		!reflect.DeepEqual(a["expose_tokens"], []any{"id", "access"}) || !reflect.DeepEqual(a["allowed_users"], []any{"ada@example.com"}) {
		t.Fatalf("[auth] %v", a)
	}
	if g, _ := a["google"].(map[string]any); g["server_metadata_url"] != b.MetadataURL() || g["client_secret"] != b.ClientSecret() {
		t.Fatalf("[auth.google] %v", a["google"])
	}
}
