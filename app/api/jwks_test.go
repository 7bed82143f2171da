package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/desklit/desklit/app/httpguard"
)

func TestKeyRotation(t *testing.T) {
	clock := newClock()
	k1, k2 := rsaKey(t, 0, "k1"), rsaKey(t, 1, "k2")
	ti := newTestIssuer(t, true, k1)
	s := newTestServer(t, ti, clock, nil, nil)

	wantOK(t, pong(t, s, sign(t, k1, claimsFor(ti, clock), nil)), "k1 before rotation")
	ti.publish(k2) // rotate: k1 retired, k2 current
	before := ti.jwksFetches.Load()
	for i := range 3 {
		if rec := pong(t, s, sign(t, k2, claimsFor(ti, clock), nil)); rec.Code != 200 {
			t.Fatalf("k2 after rotation, request %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if got := ti.jwksFetches.Load() - before; got != 1 {
		t.Fatalf("rotation took %d JWKS fetches, want 1", got)
	}
	rec := pong(t, s, sign(t, k1, claimsFor(ti, clock), nil))
	wantError(t, rec, 401, "invalid_header", "retired k1")
}

func TestUnknownKIDFloodIsRateLimited(t *testing.T) {
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, true, k1)
	s := newTestServer(t, ti, clock, nil, func(o *Options) { o.UnknownKIDRateLimit = time.Minute })
	wantOK(t, pong(t, s, sign(t, k1, claimsFor(ti, clock), nil)), "warm-up")
	flood := func(round int) {
		t.Helper()
		tokens := make([]string, 100)
		for i := range tokens {
			tokens[i] = sign(t, &testKey{kid: fmt.Sprintf("bogus-%d-%d", round, i), alg: "RS256", signer: rsaKeys[1]}, claimsFor(ti, clock), nil)
		}
		var wg sync.WaitGroup
		codes := make([]int, len(tokens))
		for i, tok := range tokens {
			wg.Go(func() { codes[i] = pong(t, s, tok).Code })
		}
		wg.Wait()
		for i, c := range codes {
			if c != 401 {
				t.Fatalf("round %d token %d: status %d", round, i, c)
			}
		}
	}
	start := ti.jwksFetches.Load()
	flood(1)
	if got := ti.jwksFetches.Load() - start; got != 1 {
		t.Fatalf("first flood: %d fetches, want 1", got)
	}
	clock.Advance(59 * time.Second) // same window
	flood(2)
	if got := ti.jwksFetches.Load() - start; got != 1 {
		t.Fatalf("second flood in the same window: %d fetches in total, want 1", got)
	}
	clock.Advance(2 * time.Second) // next window
	flood(3)
	if got := ti.jwksFetches.Load() - start; got != 2 {
		t.Fatalf("flood in the next window: %d fetches in total, want 2", got)
	}
	// A valid token still passes during the flood's aftermath.
	wantOK(t, pong(t, s, sign(t, k1, claimsFor(ti, clock), nil)), "valid token")
}

func TestTTLRefreshInBackground(t *testing.T) {
	clock := newClock()
	k1, k2 := rsaKey(t, 0, "k1"), rsaKey(t, 1, "k2")
	ti := newTestIssuer(t, true, k1)
	s := newTestServer(t, ti, clock, nil, func(o *Options) { o.JWKSRefreshTTL = 10 * time.Minute })
	wantOK(t, pong(t, s, sign(t, k1, claimsFor(ti, clock), nil)), "warm-up")
	ti.publish(k1, k2)
	clock.Advance(11 * time.Minute)
	// The stale set still serves this request, and a refresh starts behind it.
	wantOK(t, pong(t, s, sign(t, k1, claimsFor(ti, clock), nil)), "stale set")
	settle(s)
	if got := ti.jwksFetches.Load(); got != 2 {
		t.Fatalf("%d JWKS fetches, want 2 (one TTL refresh)", got)
	}
	// k2 arrived with the TTL refresh: no unknown-kid fetch needed.
	wantOK(t, pong(t, s, sign(t, k2, claimsFor(ti, clock), nil)), "k2")
	if got := ti.jwksFetches.Load(); got != 2 {
		t.Fatalf("%d JWKS fetches, want still 2", got)
	}
}

func TestIssuerUnavailableThenUp(t *testing.T) {
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, false, k1)
	ti.down.Store(true)
	s := newTestServer(t, ti, clock, nil, nil)
	token := sign(t, k1, claimsFor(ti, clock), nil)

	rec := pong(t, s, token)
	wantError(t, rec, 503, "jwks_unavailable", "issuer down")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After on 503")
	}
	// Within the backoff, requests do not hit the issuer again.
	fetches := ti.discoveryFetches.Load()
	for range 5 {
		if rec := do(t, s, "GET", "/api/pong-scoped", bearer(token)); rec.Code != 503 {
			t.Fatalf("issuer down, scoped: %d %s", rec.Code, rec.Body)
		}
	}
	if got := ti.discoveryFetches.Load(); got != fetches {
		t.Fatalf("backoff ignored: %d discovery fetches, had %d", got, fetches)
	}
	// Public routes and health keep working.
	if rec := do(t, s, "GET", "/api/ping", nil); rec.Code != 200 {
		t.Fatalf("ping: %d", rec.Code)
	}
	rec = do(t, s, "GET", "/healthz", nil)
	var health map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &health); err != nil {
		t.Fatalf("healthz body %q: %v", rec.Body, err)
	}
	if rec.Code != 200 || health["jwks"] != "unavailable" {
		t.Fatalf("healthz: %d %s", rec.Code, rec.Body)
	}
	// Client errors are still 401, not 503.
	if rec := do(t, s, "GET", "/api/pong", nil); rec.Code != 401 {
		t.Fatalf("no header while down: %d", rec.Code)
	}

	ti.down.Store(false)
	clock.Advance(maxRetryBackoff)
	wantOK(t, pong(t, s, token), "issuer up")
	rec = do(t, s, "GET", "/healthz", nil)
	health = nil
	if err := json.Unmarshal(rec.Body.Bytes(), &health); err != nil {
		t.Fatalf("healthz body %q: %v", rec.Body, err)
	}
	if health["jwks"] != "ready" {
		t.Fatalf("healthz after recovery: %s", rec.Body)
	}
}

func TestIssuerNotListening(t *testing.T) {
	ln, err := httpguard.Listen(0)
	if err != nil {
		t.Fatal(err)
	}
	issuer := fmt.Sprintf("http://127.0.0.1:%d", httpguard.Port(ln))
	if err := ln.Close(); err != nil { // nothing listens there any more
		t.Fatal(err)
	}
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, false, k1) // only to sign tokens and borrow options
	s := newTestServer(t, ti, clock, nil, func(o *Options) { o.Issuer = issuer; o.HTTPClient = http.DefaultClient })
	c := claimsFor(ti, clock)
	c["iss"] = issuer
	rec := pong(t, s, sign(t, k1, c, nil))
	wantError(t, rec, 503, "jwks_unavailable", "the answer")
}

func TestDiscoveryIssuerMismatch(t *testing.T) {
	clock := newClock()
	k1 := rsaKey(t, 0, "k1")
	ti := newTestIssuer(t, false, k1)
	ti.issuer = "https://someone-else.example/" // discovery now announces another issuer
	s := newTestServer(t, ti, clock, nil, func(o *Options) { o.Issuer = ti.srv.URL })
	c := claimsFor(ti, clock)
	c["iss"] = ti.srv.URL
	rec := pong(t, s, sign(t, k1, c, nil))
	wantError(t, rec, 503, "jwks_unavailable", "the answer")
	if ti.jwksFetches.Load() != 0 {
		t.Fatal("fetched the JWKS of a mismatched issuer")
	}
}

func TestParseKeySetSkipsUnusableKeys(t *testing.T) {
	sharedKeys(t)
	k1 := rsaKey(t, 0, "good")
	newTestIssuer(t, false, k1)
	raw := []json.RawMessage{
		json.RawMessage(`{"kty":"oct","kid":"sym","k":"c2VjcmV0"}`),
		json.RawMessage(`{"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"}`),
		json.RawMessage(`{"kty":"XYZ","kid":"weird"}`),
		json.RawMessage(`"not an object"`),
		json.RawMessage(`{"kty":"RSA","kid":"small","n":"AQAB","e":"AQAB"}`),
	}
	good, err := json.Marshal(map[string]any{"kty": "RSA", "kid": "good", "n": b64bytes(rsaKeys[0].N.Bytes()), "e": "AQAB", "d": "AQAB"})
	if err != nil {
		t.Fatal(err)
	}
	raw = append(raw, good) // has a private member: skipped too
	if keys := parseKeySet(raw); len(keys) != 0 {
		t.Fatalf("kept %d keys: %v", len(keys), keys)
	}
	if good, err = json.Marshal(map[string]any{"kty": "RSA", "kid": "good", "n": b64bytes(rsaKeys[0].N.Bytes()), "e": "AQAB"}); err != nil {
		t.Fatal(err)
	}
	if keys := parseKeySet(append(raw, good)); len(keys) != 1 {
		t.Fatalf("kept %d keys, want the one good key", len(keys))
	}
}

func b64bytes(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
