package component

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/session/sessiontest"
	"github.com/desklit/desklit/app/sse"
)

const testSecret = "launch-secret-0123456789abcdef"

func TestNewValidates(t *testing.T) {
	good := Options{StreamlitOrigin: "http://127.0.0.1:4010", LaunchSecret: testSecret, Sessions: &fakeSessions{}, Assets: testAssets}
	tests := []struct {
		name   string
		change func(*Options)
	}{
		{"short secret", func(o *Options) { o.LaunchSecret = "short" }},
		{"no sessions", func(o *Options) { o.Sessions = nil }},
		{"no assets", func(o *Options) { o.Assets = nil }},
		{"assets without index.html", func(o *Options) { o.Assets = fstest.MapFS{"a.js": {}} }},
		{"remote streamlit origin", func(o *Options) { o.StreamlitOrigin = "http://example.com:4010" }},
		{"streamlit origin without port", func(o *Options) { o.StreamlitOrigin = "http://127.0.0.1" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			tt.change(&o)
			if srv, err := New(o); err == nil {
				srv.ln.Close()
				t.Fatal("New accepted bad options")
			}
		})
	}
}

func TestSessionAnswersOnlySameOriginWithTheSecret(t *testing.T) {
	h := newHarness(t)
	h.sessions.set(sessiontest.Ada(), nil)
	self := h.srv.URL()
	port := strings.TrimPrefix(self, "http://127.0.0.1:")
	tests := []struct {
		name string
		hdr  []string
		want int
	}{
		{"no secret", nil, 403},
		{"wrong secret", []string{LaunchHeader, "wrong-secret-0123456789abcdef"}, 403},
		{"secret as a prefix", []string{LaunchHeader, testSecret[:20]}, 403},
		{"secret, cross-origin", []string{LaunchHeader, testSecret, "Origin", "http://127.0.0.1:4010"}, 403},
		{"secret, foreign site", []string{LaunchHeader, testSecret, "Origin", "https://evil.example"}, 403},
		{"secret, null origin", []string{LaunchHeader, testSecret, "Origin", "null"}, 403},
		{"secret, Sec-Fetch-Site cross-site", []string{LaunchHeader, testSecret, "Sec-Fetch-Site", "cross-site"}, 403},
		{"secret, Sec-Fetch-Site same-site", []string{LaunchHeader, testSecret, "Sec-Fetch-Site", "same-site"}, 403},
		{"secret, Sec-Fetch-Site none", []string{LaunchHeader, testSecret, "Sec-Fetch-Site", "none"}, 403},
		{"secret, own origin", []string{LaunchHeader, testSecret, "Origin", self, "Sec-Fetch-Site", "same-origin"}, 200},
		{"secret, no Origin", []string{LaunchHeader, testSecret}, 200},
		{"secret, localhost origin on localhost", []string{LaunchHeader, testSecret, "Host", "localhost:" + port, "Origin", "http://localhost:" + port}, 200},
		{"secret, 127.0.0.1 origin on localhost", []string{LaunchHeader, testSecret, "Host", "localhost:" + port, "Origin", self}, 403},
		{"secret, rebinding Host", []string{LaunchHeader, testSecret, "Host", "attacker.example:" + port}, 421},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.request(t, "GET", "/api/session", tt.hdr...)
			body := readAll(t, resp)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.want, body)
			}
			leaked := strings.Contains(body, "TOKEN-SECRET-VALUE") || strings.Contains(body, "ada@")
			if tt.want != 200 && leaked {
				t.Fatalf("a refused request got session data: %s", body)
			}
			if tt.want == 200 {
				if got := resp.Header.Get("Cache-Control"); got != "no-store" {
					t.Fatalf("Cache-Control %q, want no-store", got)
				}
				if resp.Header.Get("Access-Control-Allow-Origin") != "" {
					t.Fatal("the session endpoint must not answer CORS")
				}
			}
		})
	}
}

func TestSessionInfo(t *testing.T) {
	h := newHarness(t)
	get := func() (int, map[string]any) {
		resp := h.request(t, "GET", "/api/session", LaunchHeader, testSecret)
		var m map[string]any
		if err := json.Unmarshal([]byte(readAll(t, resp)), &m); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, m
	}

	code, m := get()
	if code != 200 || m["signed_in"] != false || m["access_token"] != nil || m["user"] != nil {
		t.Fatalf("signed out: %d %v", code, m)
	}

	h.sessions.set(sessiontest.Ada(), nil)
	code, m = get()
	user, _ := m["user"].(map[string]any)
	want := map[string]any{"signed_in": true, "access_token": "ACCESS-TOKEN-SECRET-VALUE", "id_token": "ID-TOKEN-SECRET-VALUE",
		"expiry": "2030-01-02T02:04:05Z", "api_url": "http://127.0.0.1:8888"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if code != 200 || user["sub"] != "user-1" || user["name"] != "Ada Analyst" || user["email"] != "ada@example.test" {
		t.Fatalf("signed in: %d %v", code, m)
	}
	if _, ok := m["refresh_token"]; ok {
		t.Fatal("the refresh token left the shell")
	}

	h.sessions.set(nil, errors.New("org.freedesktop.DBus.Error.ServiceUnknown: keyring locked"))
	if code, m = get(); code != 503 || m["code"] != "session_unavailable" {
		t.Fatalf("store error: %d %v", code, m)
	}
	if msg, _ := m["description"].(string); msg == "" || strings.Contains(msg, "DBus") || strings.Contains(msg, "locked") {
		t.Errorf("store error: the page reads the store's own words (or nothing): %v", m)
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/", "/assets/app.js", "/api/session", "/api/ping", "/healthz"} {
		t.Run(path, func(t *testing.T) {
			resp := h.request(t, "GET", path)
			resp.Body.Close()
			csp := resp.Header.Get("Content-Security-Policy")
			for _, part := range []string{"default-src 'self'", "connect-src 'self'",
				"frame-ancestors http://127.0.0.1:4010 http://localhost:4010"} {
				if !strings.Contains(csp, part) {
					t.Errorf("CSP %q lacks %q", csp, part)
				}
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy %q", got)
			}
			if got := resp.Header.Get("Cross-Origin-Resource-Policy"); strings.HasPrefix(path, "/api/") && got != "same-origin" {
				t.Errorf("Cross-Origin-Resource-Policy %q", got)
			}
		})
	}
}

func TestAssets(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		path     string
		want     int
		contains string
	}{
		{"/?streamlitUrl=http%3A%2F%2F127.0.0.1%3A4010%2F", 200, "<title>desklit</title>"},
		{"/assets/app.js", 200, `console.log("component")`},
		{"/assets/", 404, ""},
		{"/missing.js", 404, ""},
		{"/api/nothing", 404, "not_found"},
		{"/healthz", 200, "ok"},
		{"/api/ping", 200, `"service":"component"`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp := h.request(t, "GET", tt.path)
			body := readAll(t, resp)
			if resp.StatusCode != tt.want || !strings.Contains(body, tt.contains) {
				t.Fatalf("%d %q, want %d containing %q", resp.StatusCode, body, tt.want, tt.contains)
			}
		})
	}
}

func TestLoginAndLogoutAreForwarded(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, path string
		hdr        []string
		shellErr   error
		want       int
		logins     int32
		logouts    int32
	}{
		{"login without secret", "/api/login", nil, nil, 403, 0, 0},
		{"login cross-origin", "/api/login", []string{LaunchHeader, testSecret, "Origin", "http://127.0.0.1:4010"}, nil, 403, 0, 0},
		{"login", "/api/login", []string{LaunchHeader, testSecret}, nil, 200, 1, 0},
		{"logout", "/api/logout", []string{LaunchHeader, testSecret}, nil, 200, 1, 1},
		{"login fails in the shell", "/api/login", []string{LaunchHeader, testSecret},
			&control.AnswerError{Op: "login", Status: 502, Code: "login_failed", Description: "sign-in cancelled"}, 502, 2, 1},
		{"the shell cannot be reached", "/api/login", []string{LaunchHeader, testSecret},
			errors.New("control login: dial tcp 127.0.0.1:9: connect: connection refused"), 502, 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.signIn.err = tt.shellErr
			resp := h.request(t, "POST", tt.path, tt.hdr...)
			body := readAll(t, resp)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.want, body)
			}
			var said *control.AnswerError
			switch {
			case errors.As(tt.shellErr, &said) && !strings.Contains(body, said.Description):
				t.Fatalf("the answer does not carry the shell's reason: %s", body)
			case tt.shellErr != nil && (strings.Contains(body, "dial tcp") || !strings.Contains(body, `"`+strings.TrimPrefix(tt.path, "/api/")+`_failed"`)):
				t.Fatalf("the answer carries Go's text or no code: %s", body)
			}
			if h.signIn.logins.Load() != tt.logins || h.signIn.logouts.Load() != tt.logouts {
				t.Fatalf("logins %d logouts %d, want %d %d", h.signIn.logins.Load(), h.signIn.logouts.Load(), tt.logins, tt.logouts)
			}
		})
	}
	if resp := h.request(t, "GET", "/api/login", LaunchHeader, testSecret); resp.StatusCode/100 != 4 || h.signIn.logins.Load() != 3 {
		t.Fatalf("GET /api/login: %d, %d logins; want a 4xx and no sign-in", resp.StatusCode, h.signIn.logins.Load())
	}
}

func TestEventStreamNeedsATicketOrTheSecret(t *testing.T) {
	h := newHarness(t)
	ticket := func() string {
		resp := h.request(t, "POST", "/api/events/ticket", LaunchHeader, testSecret)
		var body struct{ Ticket string }
		if err := json.Unmarshal([]byte(readAll(t, resp)), &body); err != nil || resp.StatusCode != 200 || body.Ticket == "" {
			t.Fatalf("ticket: %d %v", resp.StatusCode, err)
		}
		return body.Ticket
	}
	if resp := h.request(t, "POST", "/api/events/ticket"); resp.StatusCode != 403 {
		t.Fatalf("ticket without secret: %d, want 403", resp.StatusCode)
	}
	if resp := h.request(t, "POST", "/api/events/ticket", LaunchHeader, testSecret, "Origin", "https://evil.example"); resp.StatusCode != 403 {
		t.Fatalf("ticket cross-origin: %d, want 403", resp.StatusCode)
	}
	open := func(path string, hdr ...string) int {
		resp := h.request(t, "GET", path, hdr...)
		resp.Body.Close()
		return resp.StatusCode
	}
	tk := ticket()
	if got := open("/api/events?ticket=" + tk); got != 200 {
		t.Fatalf("with a ticket: %d, want 200", got)
	}
	if got := open("/api/events?ticket=" + tk); got != 403 {
		t.Fatalf("the same ticket again: %d, want 403", got)
	}
	if got := open("/api/events?ticket=" + ticket() + "x"); got != 403 {
		t.Fatalf("a forged ticket: %d, want 403", got)
	}
	if got := open("/api/events?ticket="+ticket(), "Origin", "https://evil.example"); got != 403 {
		t.Fatalf("a ticket cross-origin: %d, want 403", got)
	}
	if got := open("/api/events"); got != 403 {
		t.Fatalf("nothing: %d, want 403", got)
	}
	if got := open("/api/events?launch=" + testSecret); got != 403 {
		t.Fatalf("the secret in the URL: %d, want 403", got)
	}
	if got := open("/api/events", LaunchHeader, testSecret); got != 200 {
		t.Fatalf("with the header: %d, want 200", got)
	}
}

func TestTicketsExpire(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tk := newTickets(30 * time.Second)
	tk.now = func() time.Time { return now }
	a, _ := tk.issue()
	b, _ := tk.issue()
	if !tk.redeem(a) || tk.redeem(a) {
		t.Fatal("a ticket must be good exactly once")
	}
	now = now.Add(31 * time.Second)
	if tk.redeem(b) {
		t.Fatal("an expired ticket was accepted")
	}
	for range maxTickets {
		if _, err := tk.issue(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tk.issue(); !errors.Is(err, errTooManyTickets) {
		t.Fatalf("ticket %d: err %v, want errTooManyTickets", maxTickets+1, err)
	}
}

// A session change reaches a connected event stream. The deadline is only a failure bound: the
// latency is measured in bench/component.
func TestSessionChangeReachesTheEventStream(t *testing.T) {
	h := newHarness(t)
	resp := h.request(t, "GET", "/api/events", LaunchHeader, testSecret)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := make(chan sse.Event, 8)
	go func() {
		defer close(events)
		_ = sse.Read(context.Background(), resp.Body, func(ev sse.Event) error { events <- ev; return nil })
	}()
	next := func() sse.Event {
		t.Helper()
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the stream ended")
			}
			return ev
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
		}
		return sse.Event{}
	}
	if ev := next(); ev.Name != "changed" || ev.Data != `{}` {
		t.Fatalf("first event %+v, want changed", ev)
	}
	h.sessions.set(sessiontest.Ada(), nil)
	for i := 1; i <= 3; i++ {
		h.changes <- struct{}{}
		ev := next()
		if ev.Name != "changed" || ev.Data != `{}` {
			t.Fatalf("event %d %+v, want changed", i, ev)
		}
		if strings.Contains(ev.Data, "TOKEN") {
			t.Fatal("an event carries a token")
		}
	}
	// Stopping the server ends the stream.
	h.stop()
	for range events {
	}
}
