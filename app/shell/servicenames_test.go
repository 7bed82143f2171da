package shell_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/shell"
)

// TestServiceNames: the services the window's Services menu lists for an app: Desklit's, the
// demo API only where the app's own services do not replace it, then the app's own.
func TestServiceNames(t *testing.T) {
	tests := []struct {
		name, toml string
		want       []string
	}{
		{"the demo", "", []string{"streamlit", "component", "api"}},
		{"no services", "name = \"Plain\"\n", []string{"streamlit", "component", "api"}},
		{"its own services", "[services.notes-api]\ncommand = [\"python\", \"api.py\"]\n[services.worker]\ncommand = [\"node\", \"w.js\"]\n",
			[]string{"streamlit", "component", "notes-api", "worker"}},
		{"demo_api kept", "demo_api = true\n[services.notes-api]\ncommand = [\"python\", \"api.py\"]\n",
			[]string{"streamlit", "component", "api", "notes-api"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p *project.Project
			if tt.name != "the demo" {
				dir := t.TempDir()
				os.WriteFile(filepath.Join(dir, "app.py"), []byte("import streamlit as st\n"), 0o644)
				os.WriteFile(filepath.Join(dir, "desklit.toml"), []byte(tt.toml), 0o644)
				var err error
				if p, err = project.Load(dir); err != nil {
					t.Fatal(err)
				}
			}
			if got := shell.ServiceNames(p); !slices.Equal(got, tt.want) {
				t.Errorf("ServiceNames = %q, want %q", got, tt.want)
			}
		})
	}
}
