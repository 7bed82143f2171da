package pyruntime

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/internal/testutil"
)

// TestGitDependencyNotFetched: a requirement installed from a Git repository that cannot be
// fetched is said as such, with the project's line and git's own reason, read from the real uv
// and git: a host that refuses, a repository that is not there, Desklit offline, and no Git.
func TestGitDependencyNotFetched(t *testing.T) {
	f := newFixture(t, testPython(t))
	if _, err := exec.LookPath("git"); err != nil {
		testutil.Unavailable(t, "no git (make deps installs it): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/o/mock.git"
	ln.Close() // nothing listens there any more: connection refused
	gone := httptest.NewServer(http.NotFoundHandler())
	defer gone.Close()
	tests := []struct {
		name, url      string
		offline, noGit bool
		want           string
	}{
		{"refused", refused, false, false, "(git: Failed to connect to 127.0.0.1 port"},
		{"gone", gone.URL + "/o/gone.git", false, false, "and its host has no repository at that address (it is private, or it is gone): check the address"},
		{"offline", refused, true, false, "and Desklit is offline (DESKLIT_OFFLINE): turn offline mode off"},
		{"no git", refused, false, true, "and Git is not installed: install Git"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.noGit {
				t.Setenv("PATH", t.TempDir()) // uv looks for git on PATH
			}
			o := f.opts
			o.Offline = tt.offline
			o.Source = f.project(t, SourceRequirements, map[string]string{"requirements.txt": "desklit-fake-a==1.0\nmock @ git+" + tt.url + "\n"})
			_, err := Resolve(context.Background(), o)
			var ge *GitFetchError
			if !errors.As(err, &ge) {
				t.Fatalf("Resolve = %v (%T), want a GitFetchError\n%s", err, err, o.Log)
			}
			wantLine := "mock @ git+" + tt.url + " (requirements.txt line 2)"
			if ge.Requirement == nil || ge.Requirement.String() != wantLine || !strings.Contains(err.Error(), tt.want) ||
				!strings.HasPrefix(err.Error(), f.opts.Name+" needs "+wantLine+", which is installed from its Git repository") {
				t.Errorf("Resolve = %q; want it to name %q and say %q", err, wantLine, tt.want)
			}
			if !tt.offline && !tt.noGit && ge.Repository != tt.url {
				t.Errorf("repository %q, want %q", ge.Repository, tt.url)
			}
		})
	}
}
