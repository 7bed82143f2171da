package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
)

func TestCORS(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, false, rsaKey(t, 0, "k1"))
	s := newTestServer(t, ti, clock, nil, nil)
	const allowed, foreign = "http://127.0.0.1:4010", "https://evil.example"

	tests := []struct {
		name       string
		method     string
		path       string
		hdr        http.Header
		wantStatus int
		wantACAO   string
	}{
		{"allowed origin", "GET", "/api/ping", http.Header{"Origin": {allowed}}, 200, allowed},
		{"allowed localhost form", "GET", "/api/ping", http.Header{"Origin": {"http://localhost:3001"}}, 200, "http://localhost:3001"},
		{"allowed origin, 401 still has CORS", "GET", "/api/pong", http.Header{"Origin": {allowed}}, 401, allowed},
		{"disallowed origin", "GET", "/api/ping", http.Header{"Origin": {foreign}}, 200, ""},
		{"origin with another port", "GET", "/api/ping", http.Header{"Origin": {"http://127.0.0.1:4011"}}, 200, ""},
		{"null origin", "GET", "/api/ping", http.Header{"Origin": {"null"}}, 200, ""},
		{"two origins", "GET", "/api/ping", http.Header{"Origin": {allowed, foreign}}, 200, ""},
		{"no origin", "GET", "/api/ping", nil, 200, ""},
		{"preflight allowed", "OPTIONS", "/api/pong", http.Header{"Origin": {allowed}, "Access-Control-Request-Method": {"GET"}, "Access-Control-Request-Headers": {"authorization"}}, 204, allowed},
		{"preflight disallowed", "OPTIONS", "/api/pong", http.Header{"Origin": {foreign}, "Access-Control-Request-Method": {"GET"}}, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, s, tt.method, tt.path, tt.hdr)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			acao := rec.Header().Values("Access-Control-Allow-Origin")
			if tt.wantACAO == "" && len(acao) != 0 || tt.wantACAO != "" && (len(acao) != 1 || acao[0] != tt.wantACAO) {
				t.Fatalf("Access-Control-Allow-Origin %q, want %q", acao, tt.wantACAO)
			}
			if !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Origin") {
				t.Errorf("no Vary: Origin")
			}
			if tt.wantStatus == 204 {
				if !strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), "Authorization") ||
					!strings.Contains(rec.Header().Get("Access-Control-Allow-Methods"), "GET") {
					t.Errorf("preflight headers %v", rec.Header())
				}
			}
		})
	}
}

func TestHostCheck(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, false, rsaKey(t, 0, "k1"))
	s := newTestServer(t, ti, clock, nil, nil)
	port := strings.TrimPrefix(s.URL(), "http://127.0.0.1:")
	tests := []struct {
		host string
		want int
	}{
		{"127.0.0.1:" + port, 200},
		{"localhost:" + port, 200},
		{"evil.example:" + port, 421},
		{"evil.example", 421},
		{"127.0.0.1", 421},
		{"127.0.0.1:1", 421},
		{"[::1]:" + port, 421},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if rec := do(t, s, "GET", "/api/ping", http.Header{"Host": {tt.host}}); rec.Code != tt.want {
				t.Fatalf("status %d, want %d", rec.Code, tt.want)
			}
		})
	}
}

// TestServeOverTCP runs the real server: binding, a rebinding Host over the wire, shutdown.
func TestServeOverTCP(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, false, rsaKey(t, 0, "k1"))
	s := newTestServer(t, ti, clock, nil, nil)
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %s", s.URL())
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()

	resp, err := http.Get(s.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
	if status := testutil.Status(t, s.URL()+"/api/ping", map[string]string{"Host": "attacker.example"}); status != http.StatusMisdirectedRequest {
		t.Fatalf("rebinding Host: %d", status)
	}
	// A header block over the server's limit is refused by net/http, not by a 500.
	req, _ := http.NewRequest("GET", s.URL()+"/api/pong", nil)
	req.Header.Set("Authorization", "Bearer "+strings.Repeat("a", 40<<10))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("huge header: %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}

func TestBodyLimit(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, false, rsaKey(t, 0, "k1"))
	s := newTestServer(t, ti, clock, nil, nil)
	req := httptest.NewRequest("POST", "/api/ping", strings.NewReader(strings.Repeat("x", maxBodyBytes+1)))
	req.Host = strings.TrimPrefix(s.URL(), "http://")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestPanicBecomes500(t *testing.T) {
	var logs testutil.SyncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := accessLog(log, recoverPanics(log, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || !strings.Contains(logs.String(), `"status":500`) || !strings.Contains(logs.String(), "boom") {
		t.Fatalf("status %d, logs %s", rec.Code, logs.String())
	}
}

func TestPublicRoutes(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, false, rsaKey(t, 0, "k1"))
	s := newTestServer(t, ti, clock, nil, nil)
	rec := do(t, s, "GET", "/api/ping", nil)
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 200 {
		t.Fatalf("ping: %d %s", rec.Code, rec.Body)
	}
	if want := "Hello from a PUBLIC endpoint! " + epoch.Format(time.RFC3339); body["data"] != want {
		t.Fatalf("ping data %q, want %q", body["data"], want)
	}
	if rec := do(t, s, "POST", "/api/ping", nil); rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST ping: %d", rec.Code)
	}
	if ti.discoveryFetches.Load() != 0 {
		t.Fatal("public routes contacted the issuer")
	}
}

func TestLogsCarryRequestFieldsButNoToken(t *testing.T) {
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, false, k1)
	var logs testutil.SyncBuffer
	s := newTestServer(t, ti, clock, &logs, nil)

	good := sign(t, k1, claimsFor(ti, clock), nil)
	c := claimsFor(ti, clock)
	c["exp"] = clock.Now().Add(-time.Hour).Unix()
	expired := sign(t, k1, c, nil)
	forged := sign(t, rsaKey(t, 1, "k1"), claimsFor(ti, clock), nil)
	tokens := []string{good, expired, forged}

	rec := do(t, s, "GET", "/api/pong", http.Header{"Authorization": {"Bearer " + good}, "X-Request-Id": {"req-123"}})
	if rec.Code != 200 || rec.Header().Get("X-Request-Id") != "req-123" {
		t.Fatalf("status %d, request id %q", rec.Code, rec.Header().Get("X-Request-Id"))
	}
	pong(t, s, expired)
	do(t, s, "GET", "/api/pong-scoped", http.Header{"Authorization": {"Bearer " + forged}, "X-Request-Id": {forged}})
	do(t, s, "GET", "/api/pong?access_token="+good, nil)
	do(t, s, "GET", "/api/"+good, nil)
	rec = do(t, s, "GET", "/api/ping", http.Header{"X-Request-Id": {good}})
	if id := rec.Header().Get("X-Request-Id"); id == good || id == "" {
		t.Fatalf("token echoed or no request id: %q", id)
	}

	out := logs.String()
	for _, tok := range tokens {
		for i, part := range strings.Split(tok, ".") {
			if i == 0 {
				continue // the header part is shared by many tokens and secret-free
			}
			if strings.Contains(out, part) {
				t.Fatalf("a token part appears in the logs:\n%s", out)
			}
		}
	}
	var seen int
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if e["msg"] != "request" {
			continue
		}
		seen++
		for _, k := range []string{"request_id", "route", "status", "latency", "method"} {
			if _, ok := e[k]; !ok {
				t.Errorf("log line without %s: %s", k, line)
			}
		}
		if e["request_id"] == "req-123" && (e["route"] != "GET /api/pong" || e["status"] != float64(200)) {
			t.Errorf("request line %s", line)
		}
	}
	if seen != 6 {
		t.Fatalf("%d request lines, want 6:\n%s", seen, out)
	}
	if !strings.Contains(out, `"code":"token_expired"`) {
		t.Errorf("refusal code not logged:\n%s", out)
	}
}
