package shell

import (
	"path/filepath"
	"testing"

	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/project"
)

// ProjectFrom writes files (name → body) into dir and loads the project there: for the tests of
// package shell and of shell_test.
func ProjectFrom(t *testing.T, dir string, files map[string]string) *project.Project {
	t.Helper()
	for name, body := range files {
		testutil.WriteFile(t, filepath.Join(dir, filepath.FromSlash(name)), body)
	}
	p, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
