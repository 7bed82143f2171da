package shell_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
)

// The packager resolves a project for the Python `desklit run` would give it: one in the
// project's requires-python, not the first one found.
func TestPackageFindsThePythonTheProjectAsksFor(t *testing.T) {
	for _, tt := range []struct{ requires, wantErr string }{
		{">=3.11", ""},
		{">=3.25", "no Python >=3.25 was found: the app asks for it"},
	} {
		t.Run(tt.requires, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "app.py"), []byte("import streamlit as st\nst.write('hi')\n"), 0o644)
			os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"sales\"\nversion = \"1.0\"\n"+
				"requires-python = \""+tt.requires+"\"\ndependencies = [\"streamlit\"]\n"), 0o644)
			p, err := project.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			h := newShell(t, p)
			o, closeLog, err := h.sh.PackageOptions(context.Background(), p)
			if tt.wantErr != "" {
				var np *pyruntime.NoPythonError
				if !errors.As(err, &np) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("PackageOptions = %v; want a NoPythonError saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			closeLog()
			want, _ := pyruntime.ParseRange(tt.requires)
			if !want.Admits(o.Runtime.Python.Version) || o.Project != p.Path {
				t.Errorf("options: Python %s for %s, project %q; want one in %s for %q",
					o.Runtime.Python.Version, o.Runtime.Python.Path, o.Project, tt.requires, p.Path)
			}
		})
	}
}
