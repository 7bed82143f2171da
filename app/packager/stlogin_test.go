package packager

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/desklit/desklit/app/project"
)

// A package leaves an st.login app's secrets.toml out but keeps the shape of its [auth].
func TestStLoginShapeKeepsNoSecret(t *testing.T) {
	dir := t.TempDir()
	p := &project.Project{Dir: dir}
	if s, err := stLoginShape(p); s != nil || err != nil {
		t.Fatalf("no secrets: %+v %v", s, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".streamlit"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := os.WriteFile(filepath.Join(dir, ".streamlit", "secrets.toml"), []byte(`[auth]
client_secret = "s3cr3t"
cookie_secret = "c00k1e"
expose_tokens = "access"
[auth.google]
client_secret = "g00gle"
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	s, err := stLoginShape(p)
	if err != nil || s == nil || !reflect.DeepEqual(s.Providers, []string{"google"}) || s.ExposeTokens != "access" {
		t.Fatalf("shape %+v %v", s, err)
	}
	// A provider the app's code names and its secrets do not is kept too (Desklit serves every one).
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte("import streamlit as st\nst.login('okta')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err = stLoginShape(p); err != nil || s == nil || !reflect.DeepEqual(s.Providers, []string{"google", "okta"}) {
		t.Fatalf("shape with the code's providers %+v %v", s, err)
	}
	// Cloned without its secrets.toml: the code's shape.
	if err := os.Remove(filepath.Join(dir, ".streamlit", "secrets.toml")); err != nil {
		t.Fatal(err)
	}
	if s, err = stLoginShape(p); err != nil || s == nil || !reflect.DeepEqual(s.Providers, []string{"okta"}) || s.ExposeTokens != nil {
		t.Fatalf("shape without secrets %+v %v", s, err)
	}
	if got := nonEmpty(map[string]string{"a": "", "b": "x"}); !reflect.DeepEqual(got, map[string]string{"b": "x"}) {
		t.Fatalf("nonEmpty %v", got)
	}
	if nonEmpty(map[string]string{"a": ""}) != nil {
		t.Fatal("nonEmpty of nothing is nil (no auth in the manifest)")
	}
}
