package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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
	vars := plainEnv(t)
	delete(vars, "DESKLIT_ALLOW_PLAINTEXT_SESSION") // no keyring, and no plain-text session either
	for k, v := range extra {
		vars[k] = v
	}
	// Bounds a sign-in that should not have started (the code before #17 went ahead).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stdout, stderr, code = runIn(t, ctx, vars, "login")
	return stdout, stderr, code, filepath.Join(vars["XDG_DATA_HOME"], "desklit")
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

// watchWriter hands every line written to it to onLine (stdout that a test reacts to).
type watchWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	onLine func(line string)
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for _, line := range strings.Split(string(p), "\n") {
		w.onLine(line)
	}
	return len(p), nil
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestLoginPrintsWhatItWaitsFor: `desklit login` prints the URL it opened and the callback it
// waits for; a Ctrl-C (or the timeout) ends it with the likely causes, naming the client id and
// the exact redirect URI to register.
func TestLoginPrintsWhatItWaitsFor(t *testing.T) {
	vars := plainEnv(t)
	vars["BROWSER"] = "true" // a browser that never comes back
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := &watchWriter{onLine: func(line string) {
		if strings.HasPrefix(line, "Waiting up to") {
			cancel()
		}
	}}
	var errb bytes.Buffer
	err := Run(ctx, &Env{Args: []string{"login"}, Getenv: func(k string) string { return vars[k] }, Stdout: out, Stderr: &errb})
	callback := "http://127.0.0.1:" + vars["DESKLIT_CALLBACK_PORT"] + "/callback"
	stdout := out.String()
	for _, want := range []string{"Opening the sign-in page of http://127.0.0.1:" + vars["DESKLIT_IDP_PORT"], "/authorize?",
		"Waiting up to 5m0s for the provider to send the browser back to " + callback} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if ExitCode(err) != 130 {
		t.Errorf("exit code %d (%v), want 130", ExitCode(err), err)
	}
	for _, want := range []string{"No sign-in reached " + callback, `client id "desklit-desktop"`, "add exactly " + callback, "desklit login --device"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}

// TestLoginDevice: `desklit login --device` on the embedded provider, offline: it shows the page,
// the code and the complete URI; approved there, the session is stored like any sign-in.
func TestLoginDevice(t *testing.T) {
	vars := plainEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	approved := make(chan error, 1)
	out := &watchWriter{onLine: func(line string) {
		line = strings.TrimSpace(line)
		if u, err := url.Parse(line); err == nil && u.Query().Get("user_code") != "" {
			go func() {
				form := url.Values{"user_code": {u.Query().Get("user_code")}, "username": {"viewer"}, "password": {"desklit"}, "action": {"approve"}}
				resp, err := http.PostForm(u.Scheme+"://"+u.Host+"/device", form)
				if err == nil {
					resp.Body.Close()
				}
				approved <- err
			}()
		}
	}}
	var errb bytes.Buffer
	err := Run(ctx, &Env{Args: []string{"login", "--device"}, Getenv: func(k string) string { return vars[k] }, Stdout: out, Stderr: &errb})
	if err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, out, errb.String())
	}
	if err := <-approved; err != nil {
		t.Fatal(err)
	}
	issuer := "http://127.0.0.1:" + vars["DESKLIT_IDP_PORT"]
	for _, want := range []string{"open this page on any device:\n  " + issuer + "/device\n", "enter the code:\n  ", "?user_code=",
		"Waiting for the approval (asking every 5s", "Signed in as Victor Viewer"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if s := readSession(t, vars); s.User.Sub != "demo|viewer" || s.RefreshToken == "" {
		t.Errorf("stored session %s", s)
	}
}

// `desklit run`'s sign-in in the browser (an st.login app's Log in) prints the page's address:
// a terminal whose browser does not open still shows where to sign in.
func TestRunSignInPrintsTheAddress(t *testing.T) {
	var out bytes.Buffer
	vars := map[string]string{"BROWSER": "true"}
	e := &Env{Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: io.Discard}
	cfg, _, _, err := parse(e, "run", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	const authorize = "http://127.0.0.1:9010/authorize?client_id=desklit&redirect_uri=http%3A%2F%2F127.0.0.1%3A9011%2Fcallback"
	if _, err := signinOpener(e, cfg).Open(context.Background(), authorize); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "if none opens, visit it):\n  "+authorize+"\n") {
		t.Errorf("printed:\n%s", out.String())
	}
}
