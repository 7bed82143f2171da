package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/desklit/desklit/app/internal/testutil"
)

// upstream is a project's service behind the guard: it counts what reaches it and echoes the
// identity headers it was given.
type upstream struct {
	srv  *httptest.Server
	hits atomic.Int64
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"path": r.URL.Path, "sub": strings.Join(r.Header.Values(HeaderSub), ","), "email": strings.Join(r.Header.Values(HeaderEmail), ","),
			"scopes": strings.Join(r.Header.Values(HeaderScopes), ","), "auth": r.Header.Get("Authorization") != "",
			"other": strings.Join(r.Header.Values("X-Desklit-Other"), ","),
			"guard": strings.Join(r.Header.Values(HeaderGuard), ","),
		})
	})
	mux.HandleFunc("/api/stream", func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(300 * time.Millisecond)
		}
	})
	mux.HandleFunc("/api/ws", func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			mt, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			_ = c.WriteMessage(mt, append([]byte("echo "+r.Header.Get(HeaderSub)+": "), msg...))
		}
	})
	u.srv = httptest.NewServer(mux)
	t.Cleanup(u.srv.Close)
	return u
}

// newTestGuard is a guard in front of up for ti, served on a free port until the test ends.
func newTestGuard(t *testing.T, ti *testIssuer, clock *fakeClock, up *upstream) *Guard {
	t.Helper()
	g, err := NewGuard(GuardOptions{
		Options: Options{Issuer: ti.issuer, Audience: testAudience, HTTPClient: ti.srv.Client(),
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock.Now},
		Name: "notes-api", Upstream: up.srv.URL, Secret: "s3cret",
		Public: []string{"/api/ping", "/public/*"},
		Scopes: []ScopeRule{{"/api/admin/*", "admin:write"}, {"/api/*", "read:notes"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Serve(t, g.Serve)
	return g
}

func guardGet(t *testing.T, g *Guard, path string, hdr http.Header) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("GET", g.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	return testutil.DoJSON(t, req)
}

// newGuardFixture is a guard on a test issuer in front of a recording service, and a forger of
// that issuer's tokens.
func newGuardFixture(t *testing.T) (*Guard, *upstream, *forger) {
	t.Helper()
	ti := newTestIssuer(t, true, rsaKey(t, 0, "k1"))
	clock := newClock()
	up := newUpstream(t)
	return newTestGuard(t, ti, clock, up), up, &forger{t: t, ti: ti, clock: clock, k1: rsaKey(t, 0, "k1")}
}

func TestGuardRefusesBeforeTheService(t *testing.T) {
	g, up, f := newGuardFixture(t)
	now := f.clock.Now()
	forged := sign(t, rsaKey(t, 1, "k1"), claimsFor(f.ti, f.clock), nil)
	idToken := f.valid(func(c map[string]any) { c["aud"] = testAudience; c["nonce"] = "n"; delete(c, "scope") })
	for _, tt := range []struct {
		name, path string
		hdr        http.Header
		status     int
		code, www  string
	}{
		{"no token", "/api/notes", nil, 401, "authorization_header_missing", `Bearer realm="desklit-api"`},
		{"forged signature", "/api/notes", bearer(forged), 401, "invalid_header", `error="invalid_token"`},
		{"expired", "/api/notes", bearer(f.valid(func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix() })), 401, "token_expired", `error="invalid_token"`},
		{"wrong audience", "/api/notes", bearer(f.valid(func(c map[string]any) { c["aud"] = "https://other.api" })), 401, "invalid_claims", `error="invalid_token"`},
		{"an ID token", "/api/notes", bearer(idToken), 401, "invalid_claims", `error="invalid_token"`},
		{"HS256 with the public key", "/api/notes", bearer(f.hs256()), 401, "invalid_header", `error="invalid_token"`},
		{"scope missing", "/api/notes", bearer(f.valid(nil)), 403, "insufficient_scope", `scope="read:notes"`},
		{"admin scope missing", "/api/admin/users", bearer(f.valid(func(c map[string]any) { c["scope"] = "read:notes" })), 403, "insufficient_scope", `scope="admin:write"`},
		{"a dot-dot path", "/api/ping/../admin/users", nil, 400, "invalid_path", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := up.hits.Load()
			status, h, body := guardGet(t, g, tt.path, tt.hdr)
			if status != tt.status || body["code"] != tt.code || !strings.Contains(h.Get("WWW-Authenticate"), tt.www) {
				t.Errorf("%d %v (WWW-Authenticate %q), want %d %s %q", status, body, h.Get("WWW-Authenticate"), tt.status, tt.code, tt.www)
			}
			if up.hits.Load() != before {
				t.Errorf("the service saw a refused request")
			}
		})
	}
}

func TestGuardForwardsIdentity(t *testing.T) {
	g, _, f := newGuardFixture(t)
	spoof := http.Header{"X-Desklit-Sub": {"auth0|mallory"}, "X-DESKLIT-Scopes": {"admin:write"}, "X-Desklit-Other": {"x"}, "x-desklit-email": {"m@evil"}, "X-Desklit-Guard": {"guessed"}}

	status, _, body := guardGet(t, g, "/api/ping", spoof)
	if status != 200 || body["sub"].(string)+body["scopes"].(string)+body["other"].(string)+body["email"].(string) != "" || body["guard"] != "s3cret" {
		t.Errorf("public path: %d %v: spoofed X-Desklit-* must be stripped", status, body)
	}
	tok := f.valid(func(c map[string]any) {
		c["scope"] = "openid read:notes"
		c["permissions"] = []string{"admin:write"}
		c["email"] = "alice@example.com"
		c["email_verified"] = true
	})
	hdr := bearer(tok)
	for k, v := range spoof {
		hdr[k] = v
	}
	status, _, body = guardGet(t, g, "/api/admin/users", hdr)
	if status != 200 || body["sub"] != "auth0|alice" || body["scopes"] != "openid read:notes admin:write" ||
		body["email"] != "alice@example.com" || body["other"] != "" || body["auth"] != true || body["guard"] != "s3cret" {
		t.Errorf("signed in: %d %v, want alice's identity only and the token passed on", status, body)
	}
}

// TestGuardForwardsVerifiedEmailOnly: X-Desklit-Email is the access token's email only when the
// issuer says it verified it (email_verified true, or "true"); never from anywhere else.
func TestGuardForwardsVerifiedEmailOnly(t *testing.T) {
	ti := newTestIssuer(t, true, rsaKey(t, 0, "k1"))
	clock := newClock()
	g := newTestGuard(t, ti, clock, newUpstream(t))
	f := &forger{t: t, ti: ti, clock: clock, k1: rsaKey(t, 0, "k1")}
	tests := []struct {
		name     string
		verified any // nil: no email_verified claim
		want     string
	}{
		{"verified", true, "alice@example.com"},
		{"verified, as a string", "true", "alice@example.com"},
		{"not verified", false, ""},
		{"no email_verified", nil, ""},
		{"email_verified of another type", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := f.valid(func(c map[string]any) {
				c["scope"] = "read:notes"
				c["email"] = "alice@example.com"
				if tt.verified != nil {
					c["email_verified"] = tt.verified
				}
			})
			hdr := bearer(tok)
			hdr.Set(HeaderEmail, "mallory@example.com")
			status, _, body := guardGet(t, g, "/api/notes", hdr)
			if status != 200 || body["email"] != tt.want {
				t.Errorf("%d, X-Desklit-Email %q, want %q", status, body["email"], tt.want)
			}
		})
	}
}

func TestGuardStreamsAndUpgrades(t *testing.T) {
	g, _, f := newGuardFixture(t)
	tok := f.valid(func(c map[string]any) { c["scope"] = "read:notes" })

	req, _ := http.NewRequest("GET", g.URL()+"/api/stream", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	start := time.Now()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "data: 0\n" || time.Since(start) > 250*time.Millisecond {
		t.Errorf("first event %q (%v) after %s: the stream must not wait for the whole answer (600 ms)", line, err, time.Since(start))
	}

	wsURL := "ws" + strings.TrimPrefix(g.URL(), "http") + "/api/ws"
	if _, _, err := websocket.DefaultDialer.Dial(wsURL, nil); err == nil {
		t.Errorf("a websocket without a token was upgraded")
	}
	c, _, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Authorization": {"Bearer " + tok}})
	if err != nil {
		t.Fatalf("websocket with a token: %v", err)
	}
	defer c.Close()
	if err := c.WriteMessage(websocket.TextMessage, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := c.ReadMessage(); err != nil || string(msg) != "echo auth0|alice: hi" {
		t.Errorf("websocket echo %q, %v", msg, err)
	}
}
