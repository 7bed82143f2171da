package api

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestValidTokens(t *testing.T) {
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, true, k1) // Auth0-style issuer, ends with "/"
	s := newTestServer(t, ti, clock, nil, nil)

	tests := []struct {
		name  string
		path  string
		edit  func(c map[string]any)
		wantS string
	}{
		{name: "pong", path: "/api/pong"},
		{name: "aud as a string", path: "/api/pong", edit: func(c map[string]any) { c["aud"] = testAudience }},
		{name: "expired within leeway", path: "/api/pong", edit: func(c map[string]any) { c["exp"] = clock.Now().Add(-10 * time.Second).Unix() }},
		{name: "nbf within leeway", path: "/api/pong", edit: func(c map[string]any) { c["nbf"] = clock.Now().Add(20 * time.Second).Unix() }},
		{name: "scoped via scope", path: "/api/pong-scoped", edit: func(c map[string]any) { c["scope"] = "openid read:messages profile" }},
		{name: "scoped via permissions", path: "/api/pong-scoped", edit: func(c map[string]any) { c["permissions"] = []string{"read:messages"} }},
		{name: "scoped via scope array", path: "/api/pong-scoped", edit: func(c map[string]any) { c["scope"] = []string{"read:messages"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claimsFor(ti, clock)
			if tt.edit != nil {
				tt.edit(c)
			}
			rec := do(t, s, "GET", tt.path, bearer(sign(t, k1, c, nil)))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if body["sub"] != "auth0|alice" || !strings.HasPrefix(body["data"], "Hello from a SECURE") {
				t.Fatalf("body %v", body)
			}
		})
	}
	if n := ti.jwksFetches.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times, want 1 (cached)", n)
	}
}

func TestDevIdPStyleIssuerWithoutSlash(t *testing.T) {
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, false, k1)
	s := newTestServer(t, ti, clock, nil, nil)
	wantOK(t, pong(t, s, sign(t, k1, claimsFor(ti, clock), nil)), "status")
	c := claimsFor(ti, clock)
	c["iss"] = ti.issuer + "/"
	rec := pong(t, s, sign(t, k1, c, nil))
	if code, _ := apiError(t, rec); rec.Code != http.StatusUnauthorized || code != "invalid_claims" {
		t.Fatalf("iss with an extra slash: %d %s", rec.Code, rec.Body)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestBadTokens(t *testing.T) {
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, true, k1)
	s := newTestServer(t, ti, clock, nil, nil)
	sharedKeys(t)
	f := &forger{t: t, ti: ti, clock: clock, k1: k1}
	for _, tt := range append(malformedTokens(f), badClaims(f)...) {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, s, "GET", tt.path, tt.hdr)
			code, desc := apiError(t, rec)
			if rec.Code != tt.wantStatus || code != tt.wantCode {
				t.Fatalf("got %d %q (%s), want %d %q", rec.Code, code, desc, tt.wantStatus, tt.wantCode)
			}
			// An algorithm outside the list is said as such (decided by type, not by golang-jwt's words).
			switch tt.name {
			case "alg none", "HS256 signed with the public key", "RS384 not allowed", "ES256 not allowed":
				if desc != errAlgorithm.description {
					t.Errorf("description %q for %s, want %q", desc, tt.name, errAlgorithm.description)
				}
			case "bad signature", "signature of another token", "empty signature":
				if desc != errSignature.description {
					t.Errorf("description %q for %s, want %q", desc, tt.name, errSignature.description)
				}
			}
			wa := rec.Header().Get("WWW-Authenticate")
			switch {
			case tt.wantCode == "authorization_header_missing":
				if wa != `Bearer realm="desklit-api"` {
					t.Errorf("WWW-Authenticate %q", wa)
				}
			case tt.wantStatus == 401:
				if !strings.Contains(wa, `error="invalid_token"`) {
					t.Errorf("WWW-Authenticate %q", wa)
				}
			case tt.wantStatus == 403:
				if !strings.Contains(wa, `error="insufficient_scope"`) {
					t.Errorf("WWW-Authenticate %q", wa)
				}
			}
		})
	}
}

// badTokenCase is a request the API must refuse, and how.
type badTokenCase struct {
	name       string
	path       string
	hdr        http.Header
	wantStatus int
	wantCode   string
}

// forger makes tokens for ti: valid ones (edited), and ones signed or shaped wrongly.
type forger struct {
	t     *testing.T
	ti    *testIssuer
	clock *fakeClock
	k1    *testKey
}

// valid is a token k1 signs for the claims the API wants, after edit.
func (f *forger) valid(edit func(c map[string]any)) string {
	c := claimsFor(f.ti, f.clock)
	if edit != nil {
		edit(c)
	}
	return sign(f.t, f.k1, c, nil)
}

// resigned is a token with an arbitrary header and payload, correctly signed by k1.
func (f *forger) resigned(header, payload string) string {
	m := jwt.GetSigningMethod("RS256")
	unsigned := b64(header) + "." + b64(payload)
	sig, err := m.Sign(unsigned, rsaKeys[0])
	if err != nil {
		f.t.Fatal(err)
	}
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// hs256 is HMAC-signed with the issuer's public key as the secret (the classic confusion).
func (f *forger) hs256() string {
	pubDER, err := x509.MarshalPKIXPublicKey(&rsaKeys[0].PublicKey)
	if err != nil {
		f.t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(claimsFor(f.ti, f.clock)))
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(pubPEM)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// malformedTokens: headers, segments, algorithms and signatures the API must refuse.
func malformedTokens(f *forger) []badTokenCase {
	t, ti, clock, k1 := f.t, f.ti, f.clock, f.k1
	other := rsaKey(t, 1, "k1") // same kid, different key: a forged signature
	valid := f.valid
	parts := strings.Split(valid(nil), ".")
	claimsJSON, _ := json.Marshal(claimsFor(ti, clock))
	none := b64(`{"alg":"none","typ":"JWT","kid":"k1"}`) + "." + b64(string(claimsJSON)) + "."
	noneUpper := b64(`{"alg":"NONE","typ":"JWT","kid":"k1"}`) + "." + b64(string(claimsJSON)) + "."
	es256 := sign(t, &testKey{kid: "k1", alg: "ES256", signer: ecKeyP56}, claimsFor(ti, clock), nil)
	rs384 := sign(t, &testKey{kid: "k1", alg: "RS384", signer: rsaKeys[0]}, claimsFor(ti, clock), nil)
	hs256 := f.hs256()
	return []badTokenCase{
		{"no header", "/api/pong", nil, 401, "authorization_header_missing"},
		{"empty header", "/api/pong", http.Header{"Authorization": {""}}, 401, "authorization_header_missing"},
		{"wrong scheme", "/api/pong", http.Header{"Authorization": {"Basic " + valid(nil)}}, 401, "invalid_header"},
		{"scheme only", "/api/pong", http.Header{"Authorization": {"Bearer"}}, 401, "invalid_header"},
		{"empty token", "/api/pong", http.Header{"Authorization": {"Bearer   "}}, 401, "invalid_header"},
		{"three words", "/api/pong", http.Header{"Authorization": {"Bearer " + valid(nil) + " extra"}}, 401, "invalid_header"},
		{"two headers", "/api/pong", http.Header{"Authorization": {"Bearer " + valid(nil), "Bearer " + valid(nil)}}, 401, "invalid_header"},
		{"two segments", "/api/pong", bearer(parts[0] + "." + parts[1]), 401, "invalid_header"},
		{"four segments", "/api/pong", bearer(valid(nil) + ".x"), 401, "invalid_header"},
		{"bad base64", "/api/pong", bearer("!!!." + parts[1] + "." + parts[2]), 401, "invalid_header"},
		{"header not JSON", "/api/pong", bearer(b64("nope") + "." + parts[1] + "." + parts[2]), 401, "invalid_header"},
		{"alg none", "/api/pong", bearer(none), 401, "invalid_header"},
		{"alg NONE", "/api/pong", bearer(noneUpper), 401, "invalid_header"},
		{"HS256 signed with the public key", "/api/pong", bearer(hs256), 401, "invalid_header"},
		{"RS384 not allowed", "/api/pong", bearer(rs384), 401, "invalid_header"},
		{"ES256 not allowed", "/api/pong", bearer(es256), 401, "invalid_header"},
		{"no kid", "/api/pong", bearer(sign(t, k1, claimsFor(ti, clock), map[string]any{"kid": nil})), 401, "invalid_header"},
		{"kid not a string", "/api/pong", bearer(sign(t, k1, claimsFor(ti, clock), map[string]any{"kid": 7})), 401, "invalid_header"},
		{"crit header", "/api/pong", bearer(sign(t, k1, claimsFor(ti, clock), map[string]any{"crit": []string{"exp"}})), 401, "invalid_header"},
		{"bad signature", "/api/pong", bearer(sign(t, other, claimsFor(ti, clock), nil)), 401, "invalid_header"},
		{"signature of another token", "/api/pong", bearer(parts[0] + "." + strings.Split(valid(func(c map[string]any) { c["sub"] = "mallory" }), ".")[1] + "." + parts[2]), 401, "invalid_header"},
		{"empty signature", "/api/pong", bearer(parts[0] + "." + parts[1] + "."), 401, "invalid_header"},
	}
}

// badClaims: tokens well signed whose claims the API must refuse, and scopes it must want.
func badClaims(f *forger) []badTokenCase {
	ti, valid, resigned := f.ti, f.valid, f.resigned
	now := f.clock.Now()
	claimsJSON, _ := json.Marshal(claimsFor(ti, f.clock))
	none := b64(`{"alg":"none","typ":"JWT","kid":"k1"}`) + "." + b64(string(claimsJSON)) + "."
	huge := valid(func(c map[string]any) { c["pad"] = strings.Repeat("x", 17<<10) })
	return []badTokenCase{
		{"payload not JSON", "/api/pong", bearer(resigned(`{"alg":"RS256","kid":"k1"}`, "not json")), 401, "invalid_header"},
		{"exp is a string", "/api/pong", bearer(valid(func(c map[string]any) { c["exp"] = "tomorrow" })), 401, "invalid_header"},
		{"exp is a numeric string", "/api/pong", bearer(valid(func(c map[string]any) { c["exp"] = strconv.FormatInt(now.Add(time.Hour).Unix(), 10) })), 401, "invalid_header"},
		{"nbf is a numeric string", "/api/pong", bearer(valid(func(c map[string]any) { c["nbf"] = strconv.FormatInt(now.Unix(), 10) })), 401, "invalid_header"},
		{"iat is a numeric string", "/api/pong", bearer(valid(func(c map[string]any) { c["iat"] = strconv.FormatInt(now.Unix(), 10) })), 401, "invalid_header"},
		{"exp is null", "/api/pong", bearer(valid(func(c map[string]any) { c["exp"] = nil })), 401, "invalid_header"},
		{"iat is a boolean", "/api/pong", bearer(valid(func(c map[string]any) { c["iat"] = true })), 401, "invalid_header"},
		{"nbf is an array", "/api/pong", bearer(valid(func(c map[string]any) { c["nbf"] = []int64{now.Unix()} })), 401, "invalid_header"},
		{"expired", "/api/pong", bearer(valid(func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix() })), 401, "token_expired"},
		{"expired and wrong aud", "/api/pong", bearer(valid(func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix(); c["aud"] = "x" })), 401, "token_expired"},
		{"nbf in the future", "/api/pong", bearer(valid(func(c map[string]any) { c["nbf"] = now.Add(5 * time.Minute).Unix() })), 401, "invalid_claims"},
		{"iat in the future", "/api/pong", bearer(valid(func(c map[string]any) { c["iat"] = now.Add(5 * time.Minute).Unix() })), 401, "invalid_claims"},
		{"wrong iss", "/api/pong", bearer(valid(func(c map[string]any) { c["iss"] = "https://evil.example/" })), 401, "invalid_claims"},
		{"iss without the trailing slash", "/api/pong", bearer(valid(func(c map[string]any) { c["iss"] = strings.TrimSuffix(ti.issuer, "/") })), 401, "invalid_claims"},
		{"no iss", "/api/pong", bearer(valid(func(c map[string]any) { delete(c, "iss") })), 401, "invalid_claims"},
		{"wrong aud", "/api/pong", bearer(valid(func(c map[string]any) { c["aud"] = "https://other.api" })), 401, "invalid_claims"},
		{"aud array without ours", "/api/pong", bearer(valid(func(c map[string]any) { c["aud"] = []string{"a", "b"} })), 401, "invalid_claims"},
		{"no aud", "/api/pong", bearer(valid(func(c map[string]any) { delete(c, "aud") })), 401, "invalid_claims"},
		{"no exp", "/api/pong", bearer(valid(func(c map[string]any) { delete(c, "exp") })), 401, "invalid_claims"},
		{"token over 16 KB", "/api/pong", bearer(huge), 401, "invalid_header"},
		{"no scope on scoped route", "/api/pong-scoped", bearer(valid(nil)), 403, "insufficient_scope"},
		{"other scopes only", "/api/pong-scoped", bearer(valid(func(c map[string]any) { c["scope"] = "read:messagesX write:messages" })), 403, "insufficient_scope"},
		{"scoped route, bad token", "/api/pong-scoped", bearer(none), 401, "invalid_header"},
	}
}

func TestUnknownKIDRefreshesOnceThen401(t *testing.T) {
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, true, k1)
	s := newTestServer(t, ti, clock, nil, nil)
	wantOK(t, pong(t, s, sign(t, k1, claimsFor(ti, clock), nil)), "warm-up")
	before := ti.jwksFetches.Load()
	rec := pong(t, s, sign(t, rsaKey(t, 1, "stranger"), claimsFor(ti, clock), nil))
	wantError(t, rec, 401, "invalid_header", "the answer")
	if got := ti.jwksFetches.Load() - before; got != 1 {
		t.Fatalf("unknown kid caused %d JWKS fetches, want 1", got)
	}
}

func TestOptionsRejected(t *testing.T) {
	base := Options{Issuer: "http://127.0.0.1:9010", Audience: testAudience}
	tests := []struct {
		name string
		edit func(*Options)
	}{
		{"no issuer", func(o *Options) { o.Issuer = "" }},
		{"http issuer off loopback", func(o *Options) { o.Issuer = "http://idp.example.com/" }},
		{"no audience", func(o *Options) { o.Audience = "" }},
		{"HS256", func(o *Options) { o.Algorithms = []string{"HS256"} }},
		{"none", func(o *Options) { o.Algorithms = []string{"RS256", "none"} }},
		{"leeway over 60s", func(o *Options) { o.Leeway = 61 * time.Second }},
		{"negative leeway", func(o *Options) { o.Leeway = -time.Second }},
		{"wildcard origin", func(o *Options) { o.AllowedOrigins = []string{"*"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := base
			tt.edit(&o)
			if s, err := New(o); err == nil {
				_ = s.Close()
				t.Fatal("New accepted the options")
			}
		})
	}
}

// A token verified once is remembered, but its claims are checked on every use.
func TestRememberedTokenStillExpires(t *testing.T) {
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, true, k1)
	s := newTestServer(t, ti, clock, nil, nil)
	c := claimsFor(ti, clock)
	c["exp"] = clock.Now().Add(time.Minute).Unix()
	token := sign(t, k1, c, nil)
	for range 2 {
		wantOK(t, pong(t, s, token), "fresh")
	}
	clock.Advance(2 * time.Minute)
	rec := pong(t, s, token)
	wantError(t, rec, 401, "token_expired", "after expiry")
	// The same signature on a changed payload is not "remembered".
	parts := strings.Split(token, ".")
	c["sub"] = "mallory"
	forged := strings.Split(sign(t, rsaKey(t, 1, "k1"), c, nil), ".")
	rec = pong(t, s, parts[0]+"."+forged[1]+"."+parts[2])
	wantError(t, rec, 401, "invalid_header", "spliced token")
}

func TestConcurrentValidAndInvalid(t *testing.T) {
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, true, k1)
	s := newTestServer(t, ti, clock, nil, nil)
	good := sign(t, k1, claimsFor(ti, clock), nil)
	bad := sign(t, rsaKey(t, 1, "k1"), claimsFor(ti, clock), nil)
	var wg sync.WaitGroup
	codes := make([]int, 64)
	for i := range codes {
		tok := good
		if i%2 == 1 {
			tok = bad
		}
		wg.Go(func() { codes[i] = pong(t, s, tok).Code })
	}
	wg.Wait()
	for i, c := range codes {
		if want := []int{200, 401}[i%2]; c != want {
			t.Fatalf("request %d: %d, want %d", i, c, want)
		}
	}
	if n := ti.jwksFetches.Load(); n != 1 {
		t.Fatalf("%d JWKS fetches, want 1", n)
	}
}

// TestIssuerSpelling: the configured issuer may end in a slash or not; the discovery document's
// spelling is the one "iss" must carry, exactly (app/issuer).
func TestIssuerSpelling(t *testing.T) {
	for _, tt := range []struct {
		name        string
		discovered  bool   // the issuer's own spelling ends in "/" (Auth0) or not (Keycloak, the dev IdP)
		configured  string // appended to the server URL
		wantOwn     int
		wantOtherSp int
	}{
		{"Keycloak configured with a slash", false, "/", 200, 401},
		{"Keycloak configured as it spells itself", false, "", 200, 401},
		{"Auth0 configured without its slash", true, "", 200, 401},
		{"Auth0 configured as it spells itself", true, "/", 200, 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			k1 := rsaKey(t, 0, "k1")
			ti := newTestIssuer(t, tt.discovered, k1)
			s := newTestServer(t, ti, clock, nil, func(o *Options) { o.Issuer = ti.srv.URL + tt.configured })
			if rec := pong(t, s, sign(t, k1, claimsFor(ti, clock), nil)); rec.Code != tt.wantOwn {
				t.Fatalf("iss %q: %d %s", ti.issuer, rec.Code, rec.Body)
			}
			other := strings.TrimSuffix(ti.issuer, "/")
			if other == ti.issuer {
				other += "/"
			}
			c := claimsFor(ti, clock)
			c["iss"] = other
			rec := pong(t, s, sign(t, k1, c, nil))
			if code, _ := apiError(t, rec); rec.Code != tt.wantOtherSp || code != "invalid_claims" {
				t.Fatalf("iss %q (not the discovered spelling): %d %s", other, rec.Code, rec.Body)
			}
		})
	}
}
