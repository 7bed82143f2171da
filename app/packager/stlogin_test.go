package packager

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// A package leaves an st.login app's secrets.toml out but keeps the shape of its [auth].
func TestStLoginShapeKeepsNoSecret(t *testing.T) {
	dir := t.TempDir()
	if s, err := stLoginShape(dir); s != nil || err != nil {
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
	s, err := stLoginShape(dir)
	if err != nil || s == nil || !reflect.DeepEqual(s.Providers, []string{"google"}) || s.ExposeTokens != "access" {
		t.Fatalf("shape %+v %v", s, err)
	}
	if got := nonEmpty(map[string]string{"a": "", "b": "x"}); !reflect.DeepEqual(got, map[string]string{"b": "x"}) {
		t.Fatalf("nonEmpty %v", got)
	}
	if nonEmpty(map[string]string{"a": ""}) != nil {
		t.Fatal("nonEmpty of nothing is nil (no auth in the manifest)")
	}
}
