package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
)

// helperBrowserEnv makes this test binary the system browser: TestHelperBrowser signs the
// analyst in on the dev IdP's page of the URL it is given.
const helperBrowserEnv = "DESKLIT_TEST_HELPER_BROWSER"

func TestHelperBrowser(t *testing.T) {
	if os.Getenv(helperBrowserEnv) != "1" {
		t.Skip("the system browser of TestLoginWithoutKeyring*")
	}
	authURL := os.Args[len(os.Args)-1]
	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	login := resp.Request.URL.ResolveReference(&url.URL{Path: "/login"})
	resp, err = hc.PostForm(login.String(), url.Values{"id": {id}, "username": {"analyst"}, "password": {"desklit"}, "action": {"signin"}})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// loginWithoutKeyring runs `desklit login` against the embedded dev IdP with no D-Bus session
// bus (so no keyring) and this test binary as the browser.
func loginWithoutKeyring(t *testing.T, extra map[string]string) (stdout, stderr string, code int, data string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("no keyring is simulated by hiding the D-Bus session bus (Linux)")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv(helperBrowserEnv, "1")
	dir := t.TempDir()
	vars := map[string]string{
		"XDG_CONFIG_HOME": dir, "XDG_STATE_HOME": dir, "XDG_DATA_HOME": dir,
		"BROWSER": os.Args[0] + " -test.run=^TestHelperBrowser$ --",
	}
	testutil.SetFreePorts(t, vars, "DESKLIT_IDP_PORT", "DESKLIT_CALLBACK_PORT")
	for k, v := range extra {
		vars[k] = v
	}
	// Bounds a sign-in that should not have started (the code before #17 went ahead).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	err := Run(ctx, &Env{Args: []string{"login"}, Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &errb})
	if err != nil {
		errb.WriteString("\nerror: " + err.Error())
	}
	return out.String(), errb.String(), ExitCode(err), filepath.Join(dir, "desklit")
}

// Without a keyring a session signed in by `desklit login` would die with the command: it says
// so and fails, and never claims "Signed in".
func TestLoginWithoutKeyringFails(t *testing.T) {
	stdout, stderr, code, data := loginWithoutKeyring(t, nil)
	if code == 0 {
		t.Errorf("exit code 0, want non-zero")
	}
	if strings.Contains(stdout, "Signed in as") {
		t.Errorf("claims a sign-in that is not kept:\n%s", stdout)
	}
	for _, w := range []string{"no system keyring", "would end with this command", "DESKLIT_ALLOW_PLAINTEXT_SESSION=true"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "session.json")); err == nil {
		t.Error("a plain-text session was written without the opt-in")
	}
}

// With the plain-text opt-in the session is kept in a 0600 file, and login succeeds.
func TestLoginWithoutKeyringWithPlaintextOptIn(t *testing.T) {
	stdout, stderr, code, data := loginWithoutKeyring(t, map[string]string{"DESKLIT_ALLOW_PLAINTEXT_SESSION": "true"})
	if code != 0 {
		t.Fatalf("exit code %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Signed in as Ada Analyst") {
		t.Errorf("stdout:\n%s", stdout)
	}
	fi, err := os.Stat(filepath.Join(data, "session.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("session file mode %v", fi.Mode().Perm())
	}
}
