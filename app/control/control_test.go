package control

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/control/controltest"
	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/session/sessiontest"
)

const testToken = "control-token-0123456789abcdef"

// newFakeSessions is a session in memory whose Login signs in with testSession.
func newFakeSessions() *controltest.Sessions {
	return &controltest.Sessions{LoginAs: sessiontest.Ada()}
}

// start runs a control server for the test and returns it with its log output.
func start(t *testing.T, sessions Sessions) (*Server, *testutil.SyncBuffer) {
	t.Helper()
	logs := &testutil.SyncBuffer{}
	srv, err := NewServer(sessions, testToken, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	testutil.Serve(t, srv.Serve)
	return srv, logs
}

// startWithClient runs a control server for sessions, with a client holding its token.
func startWithClient(t *testing.T, sessions Sessions) (*Server, *testutil.SyncBuffer, *Client) {
	t.Helper()
	srv, logs := start(t, sessions)
	return srv, logs, NewClient(srv.URL(), testToken)
}

func TestNewServerRefusesAShortToken(t *testing.T) {
	if _, err := NewServer(newFakeSessions(), "short", nil); err == nil {
		t.Fatal("NewServer accepted a 5-character token")
	}
}

func TestServerRefusesWithoutTheToken(t *testing.T) {
	srv, logs := start(t, newFakeSessions())
	tests := []struct {
		name, method, path, auth string
		want                     int
	}{
		{"session without token", "GET", "/session", "", 401},
		{"session wrong token", "GET", "/session", "Bearer wrong-token-0123456789abcdef", 401},
		{"session token without Bearer", "GET", "/session", testToken, 401},
		{"events wrong token", "GET", "/events", "Bearer nope", 401},
		{"login wrong token", "POST", "/login", "Bearer nope", 401},
		{"logout without token", "POST", "/logout", "", 401},
		{"session right token, signed out", "GET", "/session", "Bearer " + testToken, 404},
		{"healthz needs no token", "GET", "/healthz", "", 200},
		{"login is POST only", "GET", "/login", "Bearer " + testToken, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL()+tt.path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	if strings.Contains(logs.String(), testToken) {
		t.Fatal("the control token appears in the log")
	}
}

func TestServerRefusesAForeignHost(t *testing.T) {
	srv, _ := start(t, newFakeSessions())
	hdr := map[string]string{"Host": "attacker.example:80", "Authorization": "Bearer " + testToken}
	if status := testutil.Status(t, srv.URL()+"/session", hdr); status != http.StatusMisdirectedRequest {
		t.Fatalf("status %d, want 421", status)
	}
}

func TestClientSession(t *testing.T) {
	sessions := newFakeSessions()
	srv, logs, c := startWithClient(t, sessions)
	ctx := context.Background()

	if _, err := c.Session(ctx); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("signed out: err %v, want session.ErrNotFound", err)
	}
	sessions.Set(sessiontest.Ada())
	got, err := c.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := sessiontest.Ada()
	want.RefreshToken = ""          // only the sessions refreshes; the refresh token stays there
	want.Expiry = want.Expiry.UTC() // the control server answers in UTC
	if *got != *want {
		t.Fatalf("session\n got %+v\nwant %+v", got, want)
	}
	for _, secret := range append([]string{testToken}, sessiontest.Secrets...) {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("a secret appears in the log: %q", logs.String())
		}
	}

	bad := NewClient(srv.URL(), "wrong-token-0123456789abcdef")
	if _, err := bad.Session(ctx); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("wrong token: err %v, want ErrUnauthorized", err)
	}
}

func TestClientForwardsLoginAndLogout(t *testing.T) {
	sessions := newFakeSessions()
	_, _, c := startWithClient(t, sessions)
	ctx := context.Background()

	if err := c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	if sessions.Logins.Load() != 1 || sessions.Current() == nil {
		t.Fatalf("login not forwarded: %d logins, session %v", sessions.Logins.Load(), sessions.Current())
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if sessions.Logouts.Load() != 1 || sessions.Current() != nil {
		t.Fatalf("logout not forwarded: %d logouts, session %v", sessions.Logouts.Load(), sessions.Current())
	}

	// The answer carries a stable code and our sentence for the failure, never Go's chain.
	for _, tt := range []struct {
		err      error
		want     string
		notShown string
	}{
		{fmt.Errorf("waiting for the callback: %w", authflow.ErrCancelled), "sign-in cancelled", "waiting for"},
		{fmt.Errorf("exchange: %w", &authflow.ProviderError{Code: "access_denied"}), "refused the sign-in: access_denied", "exchange:"},
		{errors.New("dial tcp 127.0.0.1:9: connect: connection refused"), "Desklit's log", "dial tcp"},
	} {
		sessions.LoginErr = tt.err
		err := c.Login(ctx)
		var ae *AnswerError
		if !errors.As(err, &ae) || ae.Status != http.StatusBadGateway || ae.Code != "login_failed" ||
			!strings.Contains(ae.Description, tt.want) || strings.Contains(ae.Description, tt.notShown) {
			t.Errorf("failed login (%v): err %v, want a 502 login_failed saying %q", tt.err, err, tt.want)
		}
	}
}

// Concurrent sign-in requests share one sign-in, and a client that gives up does not cancel it.
func TestLoginRunsOnceAndOutlivesTheRequest(t *testing.T) {
	sessions := newFakeSessions()
	sessions.Gate = make(chan struct{})
	srv, _, c := startWithClient(t, sessions)

	impatient, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { errs <- c.Login(impatient) }()
	go func() { errs <- c.Login(context.Background()) }()
	changes, stop := sessions.Subscribe()
	defer stop()
	waitFor(t, func() bool { return srv.flight.waiting("login") == 2 })
	cancel()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled request: err %v, want context.Canceled", err)
	}
	close(sessions.Gate)
	if err := <-errs; err != nil {
		t.Fatalf("the waiting request: %v", err)
	}
	select {
	case <-changes:
	case <-time.After(5 * time.Second):
		t.Fatal("the sign-in did not finish")
	}
	if n := sessions.Logins.Load(); n != 1 {
		t.Fatalf("%d sign-ins ran, want 1", n)
	}
}

func TestChangesArePushed(t *testing.T) {
	sessions := newFakeSessions()
	_, _, c := startWithClient(t, sessions)
	ctx, cancel := context.WithCancel(context.Background())
	changes := c.Changes(ctx)

	receive := func(what string) {
		t.Helper()
		select {
		case _, ok := <-changes:
			if !ok {
				t.Fatalf("%s: channel closed", what)
			}
		case <-time.After(5 * time.Second): // failure bound only; latency is measured in bench/component
			t.Fatalf("%s: no change notification", what)
		}
	}
	receive("on connect")
	for i := range 3 {
		if i%2 == 0 {
			sessions.Set(sessiontest.Ada())
		} else {
			sessions.Set(nil)
		}
		receive("after a change")
	}
	select {
	case <-changes:
		t.Fatal("a notification without a change")
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	select {
	case _, ok := <-changes:
		if ok {
			t.Fatal("a notification after cancel")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the channel was not closed after cancel")
	}
}

// The subscription reconnects when the server goes away and comes back on the same address.
func TestChangesReconnect(t *testing.T) {
	sessions := newFakeSessions()
	srv1, err := NewServer(sessions, testToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx1, stop1 := context.WithCancel(context.Background())
	done1 := make(chan error, 1)
	go func() { done1 <- srv1.Serve(ctx1) }()

	c := NewClient(srv1.URL(), testToken)
	c.MinBackoff, c.MaxBackoff = 10*time.Millisecond, 50*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := c.Changes(ctx)
	<-changes

	// Take over the address with a second server once the first has stopped.
	addr := strings.TrimPrefix(srv1.URL(), "http://")
	stop1()
	<-done1
	// The port is free once the first server has stopped; an OS may take a moment to let it go.
	var srv2 *Server
	for end := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if srv2, err = newServerAt(sessions, addr); err == nil || time.Now().After(end) {
			break
		}
	}
	if err != nil {
		testutil.Unavailable(t, "this system did not let %s go within 3 s (%v): the take-over cannot be tested here", addr, err)
	}
	ctx2, stop2 := context.WithCancel(context.Background())
	done2 := make(chan error, 1)
	go func() { done2 <- srv2.Serve(ctx2) }()
	defer func() { stop2(); <-done2 }()
	select {
	case <-changes:
	case <-time.After(5 * time.Second):
		t.Fatal("no notification after the server came back")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
