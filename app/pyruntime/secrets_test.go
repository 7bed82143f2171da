package pyruntime

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/desklit/desklit/app/internal/testutil"
)

func TestSecretsFlags(t *testing.T) {
	write := testutil.WriteFile
	var home string // each case's
	noEnv := func(k string) string {
		if k == "HOME" || k == "USERPROFILE" {
			return home
		}
		return ""
	}
	cases := []struct {
		name  string
		files map[string]string // relative to home (h/) or the project (p/)
		env   func(string) string
		want  []string // relative paths; nil: no flags
	}{
		{"no secrets anywhere", map[string]string{"p/app.py": ""}, noEnv, nil},
		{"the project's only", map[string]string{"p/.streamlit/secrets.toml": "a = 1"}, noEnv,
			[]string{"p/.streamlit/secrets.toml"}},
		{"home's then the project's", map[string]string{"h/.streamlit/secrets.toml": "a = 1", "p/.streamlit/secrets.toml": "b = 2"}, noEnv,
			[]string{"h/.streamlit/secrets.toml", "p/.streamlit/secrets.toml"}},
		{"the script's folder", map[string]string{"p/src/.streamlit/secrets.toml": "a = 1"}, noEnv,
			[]string{"p/src/.streamlit/secrets.toml"}},
		{"project config chooses the list", map[string]string{"p/.streamlit/secrets.toml": "a = 1",
			"p/.streamlit/config.toml": "[secrets]\nfiles = [\"x.toml\"]\n"}, noEnv, nil},
		{"home config chooses the list", map[string]string{"p/.streamlit/secrets.toml": "a = 1",
			"h/.streamlit/config.toml": "[secrets]\nfiles = []\n"}, noEnv, nil},
		{"unreadable config: Streamlit's default", map[string]string{"p/.streamlit/secrets.toml": "a = 1",
			"p/.streamlit/config.toml": "[secrets\n"}, noEnv, nil},
		{"other settings only", map[string]string{"p/.streamlit/secrets.toml": "a = 1",
			"p/.streamlit/config.toml": "[server]\nport = 9999\n[theme]\nprimaryColor = \"#2e7d32\"\n"}, noEnv,
			[]string{"p/.streamlit/secrets.toml"}},
		{"STREAMLIT_SECRETS_FILES", map[string]string{"p/.streamlit/secrets.toml": "a = 1"},
			func(k string) string {
				if k == "STREAMLIT_SECRETS_FILES" {
					return "/x.toml"
				}
				return noEnv(k)
			}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			for rel, text := range c.files {
				write(t, filepath.Join(root, rel), text)
			}
			script := filepath.Join(root, "p", "app.py")
			if _, ok := c.files["p/src/.streamlit/secrets.toml"]; ok {
				script = filepath.Join(root, "p", "src", "app.py")
			}
			home = filepath.Join(root, "h")
			got := SecretsFlags(filepath.Join(root, "p"), script, c.env)
			var want []string
			for _, rel := range c.want {
				want = append(want, "--secrets.files", filepath.Join(root, rel))
			}
			if !slices.Equal(got, want) {
				t.Errorf("SecretsFlags = %q, want %q", got, want)
			}
		})
	}
}
