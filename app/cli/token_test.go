package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/control/controltest"
	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/session"
)

// plainEnv is a configuration on the embedded dev IdP whose session is kept in a 0600 file (no
// D-Bus session bus, so no keyring), shared by every command a test runs with it.
func plainEnv(t *testing.T) map[string]string {
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
		"BROWSER":                         os.Args[0] + " -test.run=^TestHelperBrowser$ --",
		"DESKLIT_ALLOW_PLAINTEXT_SESSION": "true",
	}
	testutil.SetFreePorts(t, vars, "DESKLIT_IDP_PORT", "DESKLIT_CALLBACK_PORT")
	return vars
}

func runIn(t *testing.T, ctx context.Context, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(ctx, &Env{Args: args, Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &errb})
	if err != nil {
		errb.WriteString("\nerror: " + err.Error())
	}
	return out.String(), errb.String(), ExitCode(err)
}

func sessionFile(vars map[string]string) string {
	return filepath.Join(vars["XDG_DATA_HOME"], "desklit", "session.json")
}

func readSession(t *testing.T, vars map[string]string) *session.Session {
	t.Helper()
	b, err := os.ReadFile(sessionFile(vars))
	if err != nil {
		t.Fatal(err)
	}
	var s session.Session
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// editSession rewrites the stored session (its file is plain JSON of session.Session).
func editSession(t *testing.T, vars map[string]string, edit func(s *session.Session)) {
	t.Helper()
	s := readSession(t, vars)
	edit(s)
	b, _ := json.Marshal(s)
	if err := os.WriteFile(sessionFile(vars), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestToken: `desklit token` prints the session's access token (--id: the ID token) and nothing
// else; when the token is about to expire it refreshes first and stores the rotated tokens;
// signed out it fails with a clear message. No token ever reaches stderr.
func TestToken(t *testing.T) {
	vars := plainEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	out, errOut, code := runIn(t, ctx, vars, "token")
	if code != 1 || out != "" || !strings.Contains(errOut, "not signed in") || !strings.Contains(errOut, "desklit login") {
		t.Fatalf("signed out: code %d stdout %q stderr %q", code, out, errOut)
	}
	if out, errOut, code := runIn(t, ctx, vars, "login"); code != 0 {
		t.Fatalf("login: %d\n%s\n%s", code, out, errOut)
	}
	s := readSession(t, vars)
	out, errOut, code = runIn(t, ctx, vars, "token")
	if code != 0 || out != s.AccessToken+"\n" {
		t.Fatalf("token: code %d stdout %q stderr %q", code, out, errOut)
	}
	if out, _, code = runIn(t, ctx, vars, "token", "--id"); code != 0 || out != s.IDToken+"\n" {
		t.Fatalf("token --id: code %d stdout %q", code, out)
	}

	// About to expire: refreshed first (no Desklit runs, so here), rotated tokens stored.
	editSession(t, vars, func(s *session.Session) { s.Expiry = time.Now().Add(20 * time.Second) })
	out, errOut, code = runIn(t, ctx, vars, "token")
	ns := readSession(t, vars)
	if code != 0 || out != ns.AccessToken+"\n" || ns.AccessToken == s.AccessToken || ns.RefreshToken == s.RefreshToken ||
		time.Until(ns.Expiry) < 5*time.Minute {
		t.Fatalf("token near expiry: code %d stderr %q; new access %t, rotated %t, expiry in %s",
			code, errOut, ns.AccessToken != s.AccessToken, ns.RefreshToken != s.RefreshToken, time.Until(ns.Expiry))
	}
	assertNoToken(t, errOut, s, ns)

	// A refresh token the provider refuses ends the session.
	editSession(t, vars, func(s *session.Session) {
		s.Expiry = time.Now().Add(-time.Minute)
		s.RefreshToken = "revoked-or-made-up"
	})
	out, errOut, code = runIn(t, ctx, vars, "token")
	if code != 1 || out != "" || !strings.Contains(errOut, "no longer accepts the session") {
		t.Fatalf("refused refresh: code %d stdout %q stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(sessionFile(vars)); err == nil {
		t.Error("the refused session is still stored")
	}
}

// TestTokenThroughRunningInstance: while a Desklit runs, `desklit token` does not refresh by
// itself (two refreshers break refresh-token rotation): it asks the instance, through the
// control channel's status token, and prints what the instance stored.
func TestTokenThroughRunningInstance(t *testing.T) {
	vars := plainEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	paths := config.PathsFor(config.DefaultAppID, func(k string) string { return vars[k] })
	stale := &session.Session{View: session.View{Issuer: "http://127.0.0.1:" + vars["DESKLIT_IDP_PORT"], ClientID: config.DefaultDevClientID,
		User: session.User{Sub: "demo|analyst"}, AccessToken: "old-access", IDToken: "old-id", Expiry: time.Now().Add(10 * time.Second)},
		RefreshToken: "only-the-instance-may-use-this"}
	writeSession(t, vars, stale)

	srv, err := control.NewServer(&controltest.Sessions{}, "control-token-0123456789", nil)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	statusToken := "status-token-0123456789"
	if err := srv.EnableStatus(statusToken, func() []control.ServiceStatus { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := srv.EnableRefresh(func(_ context.Context, within time.Duration) (time.Time, error) {
		calls.Add(1)
		fresh := *stale
		fresh.AccessToken, fresh.Expiry, fresh.RefreshToken = "new-access", time.Now().Add(10*time.Minute), "rotated"
		writeSession(t, vars, &fresh)
		return fresh.Expiry, nil
	}); err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(sctx) }()
	defer func() { stop(); <-done }()
	if err := control.WriteEndpoint(paths.Run, control.Endpoint{URL: srv.URL(), Token: statusToken, PID: os.Getpid()}); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := runIn(t, ctx, vars, "token")
	if code != 0 || out != "new-access\n" || calls.Load() != 1 {
		t.Fatalf("code %d stdout %q stderr %q, instance refreshes %d", code, out, errOut, calls.Load())
	}
	if out, _, _ := runIn(t, ctx, vars, "token"); out != "new-access\n" || calls.Load() != 1 {
		t.Fatalf("a fresh token asked the instance again (%d) or changed: %q", calls.Load(), out)
	}
}

func writeSession(t *testing.T, vars map[string]string, s *session.Session) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(sessionFile(vars)), 0o700); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(s)
	if err := os.WriteFile(sessionFile(vars), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func assertNoToken(t *testing.T, text string, sessions ...*session.Session) {
	t.Helper()
	for _, s := range sessions {
		for _, v := range []string{s.AccessToken, s.IDToken, s.RefreshToken} {
			if v != "" && strings.Contains(text, v) {
				t.Errorf("a token appears in: %s", text)
			}
		}
	}
}
