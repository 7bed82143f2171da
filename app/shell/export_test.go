package shell

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/desklit/desklit/app/project"
)

// ProjectFrom writes files (name → body) into dir and loads the project there: for the tests of
// package shell and of shell_test.
func ProjectFrom(t *testing.T, dir string, files map[string]string) *project.Project {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
