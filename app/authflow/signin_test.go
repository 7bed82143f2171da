package authflow

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/desklit/desklit/app/devidp"
	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
)

// TestSignInStoresSession is the acceptance path: dev IdP, scripted browser, Manager, store.
func TestSignInStoresSession(t *testing.T) {
	log, logs := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	flow := flowFor(idp, Config{Logger: log})
	b := newBrowser("analyst", "desklit")
	store := keyringstore.NewMemoryStore()
	m := session.NewManager(store, flow.Bind(b), log, nil)
	changes, unsub := m.Subscribe()
	defer unsub()

	if err := m.Login(context.Background()); err != nil {
		t.Fatalf("Login: %v", err)
	}
	b.wait(t)
	s := stored(t, store)
	if s == nil {
		t.Fatal("no session stored")
	}
	if s.User.Sub != "demo|analyst" || s.User.Name != "Ada Analyst" || s.User.Email != "ada@example.com" {
		t.Errorf("user = %+v", s.User)
	}
	if s.AccessToken == "" || s.IDToken == "" || s.RefreshToken == "" || s.Expiry.IsZero() {
		t.Errorf("incomplete session %v", s)
	}
	if s.Issuer != idp.Issuer() || s.ClientID != devidp.DefaultClientID {
		t.Errorf("issuer/client = %q %q", s.Issuer, s.ClientID)
	}
	if got := m.Current(); got == nil || got.AccessToken != s.AccessToken {
		t.Error("Current does not return the stored session")
	}
	select {
	case c := <-changes:
		if c.Kind != session.SignedIn || c.User.Sub != "demo|analyst" {
			t.Errorf("change = %+v", c)
		}
	default:
		t.Error("no SignedIn change")
	}
	assertClosed(t, b.redirect())

	// A replay of the completed callback finds no listener.
	if b.callbackURL == "" {
		t.Fatal("browser saw no callback")
	}
	if resp, err := http.Get(b.callbackURL); err == nil {
		resp.Body.Close()
		t.Error("replayed callback reached a listener after the sign-in")
	}
	checkAccessToken(t, idp, s.AccessToken, "read:messages")
	assertNoTokens(t, logs.String(), s)
}

// checkAccessToken verifies the access token against the JWKS and checks its claims.
func checkAccessToken(t *testing.T, idp *devidp.Server, raw, wantScope string) {
	t.Helper()
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("access token is not an RS256 JWS: %v", err)
	}
	kid := jws.Signatures[0].Header.KeyID
	if kid == "" {
		t.Error("no kid")
	}
	resp, err := http.Get(idp.URL() + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	keys := set.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in JWKS", kid)
	}
	payload, err := jws.Verify(keys[0].Key)
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var c struct {
		Iss   string   `json:"iss"`
		Aud   []string `json:"aud"`
		Scope string   `json:"scope"`
		Exp   int64    `json:"exp"`
		Sub   string   `json:"sub"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	if c.Iss != idp.Issuer() {
		t.Errorf("iss = %q", c.Iss)
	}
	if !contains(c.Aud, testAudience) {
		t.Errorf("aud = %v, want it to hold %q", c.Aud, testAudience)
	}
	if c.Exp <= time.Now().Unix() {
		t.Errorf("exp = %d", c.Exp)
	}
	if has := contains(strings.Fields(c.Scope), "read:messages"); has != (wantScope != "") {
		t.Errorf("scope = %q, want read:messages: %v", c.Scope, wantScope != "")
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestViewerHasNoAPIScope(t *testing.T) {
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	b := newBrowser("viewer", "desklit")
	s, err := flowFor(idp, Config{Logger: log}).Login(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	checkAccessToken(t, idp, s.AccessToken, "")
}

// TestSignInFailures: each failure is a clear error, nothing is stored, the listener is closed.
func TestSignInFailures(t *testing.T) {
	log, logs := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})

	// A completed sign-in, whose tokens must not reach the logs.
	first := newBrowser("analyst", "desklit")
	prev, err := flowFor(idp, Config{Logger: log}).Login(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	first.wait(t)

	for _, tt := range signInFailures() {
		t.Run(tt.name, func(t *testing.T) {
			var redirect string
			store := keyringstore.NewMemoryStore()
			m := session.NewManager(store, flowFor(idp, Config{Logger: log}).Bind(tt.opener(&redirect)), log, nil)
			err := m.Login(context.Background())
			if err == nil {
				t.Fatal("sign-in succeeded")
			}
			t.Logf("error: %v", err)
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.wantMsg)
			}
			if stored(t, store) != nil || m.Current() != nil {
				t.Error("a session was stored")
			}
			assertClosed(t, redirect)
		})
	}
	assertNoTokens(t, logs.String(), prev)
}

// signInFailure is a sign-in that must fail: how the "user" answers, and the error it ends with.
type signInFailure struct {
	name    string
	opener  func(rec *string) Opener
	want    error
	wantMsg string
}

func signInFailures() []signInFailure {
	// callbackOpener GETs the loopback callback with the given query instead of signing in.
	callbackOpener := func(rec *string, query func(authQ url.Values) url.Values) Opener {
		return OpenerFunc(func(ctx context.Context, raw string) (<-chan error, error) {
			u, _ := url.Parse(raw)
			*rec = u.Query().Get("redirect_uri")
			cb := *rec + "?" + query(u.Query()).Encode()
			go func() {
				if resp, err := http.Get(cb); err == nil {
					resp.Body.Close()
				}
			}()
			return nil, nil
		})
	}
	return []signInFailure{
		{"no code", func(rec *string) Opener {
			return callbackOpener(rec, func(q url.Values) url.Values { return url.Values{"state": {q.Get("state")}} })
		}, ErrNoCode, "no authorization code"},
		{"access denied", func(rec *string) Opener {
			return callbackOpener(rec, func(q url.Values) url.Values {
				return url.Values{"state": {q.Get("state")}, "error": {"access_denied"}, "error_description": {"User did not authorize"}}
			})
		}, nil, "access_denied (User did not authorize)"},
		{"user cancels on the provider's page", func(rec *string) Opener {
			b := newBrowser("analyst", "")
			b.action = "cancel"
			return recorder{b, rec}
		}, nil, "access_denied (The user cancelled the sign-in)"},
		{"wrong PKCE verifier", func(rec *string) Opener {
			b := newBrowser("analyst", "desklit")
			b.tamper = func(u *url.URL) { // an attacker's challenge: our verifier no longer matches
				q := u.Query()
				q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
				u.RawQuery = q.Encode()
			}
			return recorder{b, rec}
		}, ErrExchange, "invalid_grant"},
		{"PKCE missing", func(rec *string) Opener {
			b := newBrowser("analyst", "desklit")
			b.tamper = func(u *url.URL) {
				q := u.Query()
				q.Del("code_challenge")
				q.Del("code_challenge_method")
				u.RawQuery = q.Encode()
			}
			return recorder{b, rec}
		}, nil, "PKCE is required"},
		{"PKCE plain", func(rec *string) Opener {
			b := newBrowser("analyst", "desklit")
			b.tamper = func(u *url.URL) {
				q := u.Query()
				q.Set("code_challenge_method", "plain")
				u.RawQuery = q.Encode()
			}
			return recorder{b, rec}
		}, nil, "S256"},
	}
}

// A request to the callback without this sign-in's state (another process, a web page, an old
// redirect) gets a 400 page and does not end the sign-in: the real redirect still completes it.
func TestForeignCallbackDoesNotEndSignIn(t *testing.T) {
	log, logs := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})

	// An old redirect, replayed below.
	first := newBrowser("analyst", "desklit")
	if _, err := flowFor(idp, Config{Logger: log}).Login(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	first.wait(t)
	old, _ := url.Parse(first.callbackURL)

	foreign := []struct {
		name  string
		query url.Values
	}{
		{"no state", url.Values{"code": {"x"}}},
		{"wrong state", url.Values{"state": {"not-mine"}, "code": {"x"}}},
		{"empty state", url.Values{"state": {""}, "code": {"x"}}},
		{"error with a wrong state", url.Values{"state": {"not-mine"}, "error": {"access_denied"}}},
		{"replayed redirect", old.Query()},
		{"nothing", url.Values{}},
	}
	statuses := make([]int, len(foreign))
	b := newBrowser("analyst", "desklit")
	var redirect string
	opener := OpenerFunc(func(ctx context.Context, raw string) (<-chan error, error) {
		u, _ := url.Parse(raw)
		redirect = u.Query().Get("redirect_uri")
		done := make(chan error, 1)
		go func() {
			// Every foreign request is answered before the real browser starts.
			for i, f := range foreign {
				resp, err := http.Get(redirect + "?" + f.query.Encode())
				if err != nil {
					done <- err
					return
				}
				resp.Body.Close()
				statuses[i] = resp.StatusCode
			}
			_, err := b.Open(ctx, raw)
			if err != nil {
				done <- err
			}
		}()
		return done, nil
	})
	store := keyringstore.NewMemoryStore()
	m := session.NewManager(store, flowFor(idp, Config{Logger: log}).Bind(opener), log, nil)
	if err := m.Login(context.Background()); err != nil {
		t.Fatalf("a foreign callback ended the sign-in: %v", err)
	}
	b.wait(t)
	for i, f := range foreign {
		if statuses[i] != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", f.name, statuses[i])
		}
	}
	if s := stored(t, store); s == nil || s.User.Sub != "demo|analyst" {
		t.Errorf("stored session %+v", s)
	}
	assertClosed(t, redirect)
	assertNoTokens(t, logs.String(), stored(t, store))
}
