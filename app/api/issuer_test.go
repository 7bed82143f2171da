package api

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// testIssuer is an OIDC issuer on httptest: discovery and a JWKS whose keys a test can rotate,
// with counters for every fetch and a switch to make it fail.
type testIssuer struct {
	srv    *httptest.Server
	issuer string // the "issuer" value discovery announces

	mu   sync.Mutex
	keys []*testKey

	jwksFetches      atomic.Int64
	discoveryFetches atomic.Int64
	down             atomic.Bool // answer 503 to everything
}

type testKey struct {
	kid    string
	alg    string
	signer crypto.Signer
}

// Generating RSA keys is slow; the tests share a few.
var (
	keyOnce  sync.Once
	rsaKeys  [3]*rsa.PrivateKey
	ecKeyP56 *ecdsa.PrivateKey
)

func sharedKeys(t testing.TB) {
	t.Helper()
	keyOnce.Do(func() {
		for i := range rsaKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaKeys[i] = k
		}
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		ecKeyP56 = k
	})
}

func rsaKey(t testing.TB, i int, kid string) *testKey {
	sharedKeys(t)
	return &testKey{kid: kid, alg: "RS256", signer: rsaKeys[i]}
}

// newTestIssuer starts an issuer; with trailingSlash its issuer looks like Auth0's ("…/").
func newTestIssuer(t testing.TB, trailingSlash bool, keys ...*testKey) *testIssuer {
	t.Helper()
	ti := &testIssuer{keys: keys}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		ti.discoveryFetches.Add(1)
		if ti.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                ti.issuer,
			"jwks_uri":                              ti.srv.URL + "/.well-known/jwks.json",
			"authorization_endpoint":                ti.srv.URL + "/authorize",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		ti.jwksFetches.Add(1)
		if ti.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		ti.mu.Lock()
		set := jose.JSONWebKeySet{}
		for _, k := range ti.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.signer.Public(), KeyID: k.kid, Algorithm: k.alg, Use: "sig"})
		}
		ti.mu.Unlock()
		_ = json.NewEncoder(w).Encode(set)
	})
	ti.srv = httptest.NewServer(mux)
	t.Cleanup(ti.srv.Close)
	ti.issuer = ti.srv.URL
	if trailingSlash {
		ti.issuer += "/"
	}
	return ti
}

// publish replaces the issuer's key set (rotation).
func (ti *testIssuer) publish(keys ...*testKey) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.keys = keys
}

// sign makes a JWT with k; header entries override the defaults (alg, typ, kid), a nil value
// removes one.
func sign(t testing.TB, k *testKey, claims map[string]any, header map[string]any) string {
	t.Helper()
	method := jwt.GetSigningMethod(k.alg)
	tok := jwt.NewWithClaims(method, jwt.MapClaims(claims))
	tok.Header["kid"] = k.kid
	for name, v := range header {
		if v == nil {
			delete(tok.Header, name)
		} else {
			tok.Header[name] = v
		}
	}
	s, err := tok.SignedString(k.signer)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// fakeClock is the time every test server and token agrees on.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

var epoch = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func newClock() *fakeClock { return &fakeClock{t: epoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const testAudience = "https://api.desklit.local"

const testClientID = "desklit-client"

// claimsFor are valid claims for ti at clock time, shaped like an Auth0 access token (the API
// and userinfo as audiences, a scope claim, azp the client); tests edit them.
func claimsFor(ti *testIssuer, clock *fakeClock) map[string]any {
	now := clock.Now()
	return map[string]any{
		"iss":   ti.issuer,
		"sub":   "auth0|alice",
		"aud":   []string{testAudience, ti.srv.URL + "/userinfo"},
		"iat":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
		"scope": "openid profile email",
		"azp":   testClientID,
	}
}

// newTestServer makes an API server for ti on a free port with the fake clock; edit may change
// the options first.
func newTestServer(t testing.TB, ti *testIssuer, clock *fakeClock, logs io.Writer, edit func(*Options)) *Server {
	t.Helper()
	if logs == nil {
		logs = io.Discard
	}
	o := Options{
		Issuer:              ti.issuer,
		Audience:            testAudience,
		Leeway:              30 * time.Second,
		JWKSRefreshTTL:      time.Hour,
		UnknownKIDRateLimit: time.Minute,
		HTTPClient:          ti.srv.Client(),
		Logger:              slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:                 clock.Now,
	}
	if edit != nil {
		edit(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// do sends one request through the server's handler with a correct Host unless hdr sets one.
func do(t testing.TB, s *Server, method, path string, hdr http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Host = strings.TrimPrefix(s.URL(), "http://")
	for name, vs := range hdr {
		if name == "Host" {
			req.Host = vs[0]
			continue
		}
		for _, v := range vs {
			req.Header.Add(name, v)
		}
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// apiError decodes an error body.
// pong asks s for /api/pong with token.
func pong(t testing.TB, s *Server, token string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, s, "GET", "/api/pong", bearer(token))
}

// wantOK fails the test unless rec is a 200.
func wantOK(t testing.TB, rec *httptest.ResponseRecorder, what string) {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: %d %s, want 200", what, rec.Code, rec.Body)
	}
}

// wantError fails the test unless rec is an error answer with status and code.
func wantError(t testing.TB, rec *httptest.ResponseRecorder, status int, code, what string) {
	t.Helper()
	if got, _ := apiError(t, rec); rec.Code != status || got != code {
		t.Fatalf("%s: %d %s, want %d %s", what, rec.Code, rec.Body, status, code)
	}
}

func apiError(t testing.TB, rec *httptest.ResponseRecorder) (code, description string) {
	t.Helper()
	var body struct{ Code, Description string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q is not JSON: %v", rec.Body.String(), err)
	}
	return body.Code, body.Description
}

// settle waits until no key fetch is running (a background TTL refresh, for example).
func settle(s *Server) {
	s.keys.mu.Lock()
	done := s.keys.inflight
	s.keys.mu.Unlock()
	if done != nil {
		<-done
	}
}
