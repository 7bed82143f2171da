package authflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/desklit/desklit/app/devidp"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/supervisor"
)

const testAudience = "https://api.desklit.local"

func flowFor(srv *devidp.Server, cfg Config) *Flow {
	cfg.Issuer = srv.Issuer()
	if cfg.ClientID == "" {
		cfg.ClientID = devidp.DefaultClientID
	}
	if cfg.Audience == "" {
		cfg.Audience = testAudience
	}
	return New(cfg)
}

// TestSignInStoresSession is the acceptance path: dev IdP, scripted browser, Manager, store.
func TestSignInStoresSession(t *testing.T) {
	log, logs := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	flow := flowFor(idp, Config{Logger: log})
	b := newBrowser("analyst", "desklit")
	store := &memStore{}
	m := session.NewManager(store, flow.Bind(b), log, nil)
	changes, unsub := m.Subscribe()
	defer unsub()

	if err := m.Login(context.Background()); err != nil {
		t.Fatalf("Login: %v", err)
	}
	b.wait(t)
	s := store.get()
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
	tests := []struct {
		name    string
		opener  func(rec *string) Opener
		want    error
		wantMsg string
	}{
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var redirect string
			store := &memStore{}
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
			if store.get() != nil || m.Current() != nil {
				t.Error("a session was stored")
			}
			assertClosed(t, redirect)
		})
	}
	assertNoTokens(t, logs.String(), prev)
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
	store := &memStore{}
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
	if s := store.get(); s == nil || s.User.Sub != "demo|analyst" {
		t.Errorf("stored session %+v", s)
	}
	assertClosed(t, redirect)
	assertNoTokens(t, logs.String(), store.get())
}

// recorder records the callback address of a wrapped test browser.
type recorder struct {
	b   *testBrowser
	rec *string
}

func (r recorder) Open(ctx context.Context, u string) (<-chan error, error) {
	ch, err := r.b.Open(ctx, u)
	*r.rec = r.b.redirect()
	return ch, err
}

func TestSignInTimeoutClosesListener(t *testing.T) {
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	var redirect string
	idle := OpenerFunc(func(_ context.Context, raw string) (<-chan error, error) {
		u, _ := url.Parse(raw)
		redirect = u.Query().Get("redirect_uri")
		return nil, nil
	})
	_, err := flowFor(idp, Config{Logger: log, Timeout: 100 * time.Millisecond}).Login(context.Background(), idle)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want timeout", err)
	}
	assertClosed(t, redirect)
}

func TestWindowClosedIsCancelled(t *testing.T) {
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	var redirect string
	win := ProcessWindowOpener{Exe: "/bin/sh", Args: []string{"-c", "exit 0"}}
	op := OpenerFunc(func(ctx context.Context, raw string) (<-chan error, error) {
		u, _ := url.Parse(raw)
		redirect = u.Query().Get("redirect_uri")
		return win.Open(ctx, raw)
	})
	_, err := flowFor(idp, Config{Logger: log}).Login(context.Background(), op)
	if !errors.Is(err, ErrCancelled) || err.Error() != "sign-in cancelled: the sign-in window was closed" {
		t.Fatalf("err = %v, want cancelled", err)
	}
	assertClosed(t, redirect)
}

// TestWindowKilledOnCompletion: the window process is ended when the sign-in completes, and it
// got the URL through the environment, not argv.
func TestWindowKilledOnCompletion(t *testing.T) {
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	dir := t.TempDir()
	// The "window" writes its URL to a file and waits; the test plays the user in a browser.
	win := ProcessWindowOpener{Exe: "/bin/sh", Args: []string{"-c", `printf %s "$` + SignInURLEnv + `" > ` + dir + `/url; echo "$@" > ` + dir + `/argv; exec sleep 30`, "sh"}}
	b := newBrowser("analyst", "desklit")
	var closed <-chan error
	op := OpenerFunc(func(ctx context.Context, raw string) (<-chan error, error) {
		ch, err := win.Open(ctx, raw)
		closed = ch
		if err == nil {
			_, _ = b.Open(ctx, raw)
		}
		return ch, err
	})
	if _, err := flowFor(idp, Config{Logger: log}).Login(context.Background(), op); err != nil {
		t.Fatal(err)
	}
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("window process still running after the sign-in")
	}
	b.wait(t)
	got, err := os.ReadFile(filepath.Join(dir, "url"))
	if err != nil || !strings.HasPrefix(string(got), idp.Issuer()+"/authorize?") {
		t.Errorf("window got URL %q (%v) from $%s", got, err, SignInURLEnv)
	}
	if argv, _ := os.ReadFile(filepath.Join(dir, "argv")); strings.Contains(string(argv), "http") {
		t.Errorf("URL on the window's command line: %q", argv)
	}
}

// TestConcurrentLoginsAreSerialised: when a sign-in shows its page, every earlier sign-in has
// finished and closed its callback listener.
func TestConcurrentLoginsAreSerialised(t *testing.T) {
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	flow := flowFor(idp, Config{Logger: log})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	var mu sync.Mutex
	var earlier []string // callback hosts of sign-ins that showed their page
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBrowser("analyst", "desklit")
			op := OpenerFunc(func(ctx context.Context, raw string) (<-chan error, error) {
				u, _ := url.Parse(raw)
				cb, _ := url.Parse(u.Query().Get("redirect_uri"))
				mu.Lock()
				for _, h := range earlier {
					if h == cb.Host {
						continue // the port was reused, so that listener is gone
					}
					if c, err := net.DialTimeout("tcp", h, time.Second); err == nil {
						c.Close()
						t.Errorf("sign-in on %s still running while another starts", h)
					}
				}
				earlier = append(earlier, cb.Host)
				mu.Unlock()
				return b.Open(ctx, raw)
			})
			_, err := flow.Login(context.Background(), op)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if len(earlier) != 3 {
		t.Errorf("%d sign-ins ran", len(earlier))
	}
}

// TestRefreshRotationAndLogout: new tokens stored at once, the old refresh token refused, and
// after sign-out the refresh token no longer works.
func TestRefreshRotationAndLogout(t *testing.T) {
	log, logs := newLogger(t)
	idp := startIdP(t, log, devidp.Options{AccessTTL: 2 * time.Second})
	flow := flowFor(idp, Config{Logger: log})
	store := &memStore{}
	m := session.NewManager(store, flow.Bind(newBrowser("analyst", "desklit")), log, nil)
	if err := m.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := store.get()
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	cur := store.get()
	if cur.RefreshToken == old.RefreshToken || cur.AccessToken == old.AccessToken {
		t.Error("refresh did not rotate the tokens in the store")
	}
	if cur.User != old.User {
		t.Errorf("user changed: %+v", cur.User)
	}
	checkAccessToken(t, idp, cur.AccessToken, "read:messages")
	other := *cur
	other.Issuer = "https://elsewhere.example"
	if _, err := flow.Refresh(context.Background(), &other); !errors.Is(err, ErrInvalidGrant) || !strings.Contains(err.Error(), "belongs to") {
		t.Errorf("foreign session: err = %v", err)
	}
	if _, err := flow.Refresh(context.Background(), old); !errors.Is(err, ErrInvalidGrant) {
		t.Errorf("old refresh token: err = %v, want invalid_grant", err)
	}

	// Reuse of the rotated-away token revokes the family (as Auth0 does): the current one too.
	if _, err := flow.Refresh(context.Background(), cur); !errors.Is(err, ErrInvalidGrant) {
		t.Errorf("after reuse, current refresh token: err = %v, want invalid_grant", err)
	}
	// A fresh sign-in for the sign-out checks below.
	if err := m.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	cur = store.get()

	if err := m.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if store.get() != nil || m.Current() != nil {
		t.Error("session still stored after sign-out")
	}
	if _, err := flow.Refresh(context.Background(), cur); !errors.Is(err, ErrInvalidGrant) {
		t.Errorf("refresh after sign-out: err = %v, want invalid_grant", err)
	}
	// userinfo no longer answers for the access token either (end_session ended the session)
	req, _ := http.NewRequest(http.MethodGet, idp.URL()+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+cur.AccessToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("userinfo still accepts the access token after sign-out")
		}
	}
	assertNoTokens(t, logs.String(), old, cur)
}

func TestEndSessionURL(t *testing.T) {
	u, err := New(Config{Issuer: "https://tenant.eu.auth0.com/", ClientID: "abc"}).EndSessionURL(context.Background())
	if err != nil || u != "https://tenant.eu.auth0.com/v2/logout?client_id=abc" {
		t.Errorf("auth0: %q %v", u, err)
	}
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	u, err = flowFor(idp, Config{Logger: log}).EndSessionURL(context.Background())
	if err != nil || u != idp.Issuer()+"/end_session?client_id="+devidp.DefaultClientID {
		t.Errorf("dev IdP: %q %v", u, err)
	}
}

func TestBrowserOpenerHonoursBROWSER(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "opened")
	script := filepath.Join(dir, "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf %s \"$1\" > "+out+".tmp && mv "+out+".tmp "+out+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	b := BrowserOpener{Getenv: func(string) string { return "/nonexistent-browser:" + script + " %s" }}
	if _, err := b.Open(context.Background(), "http://127.0.0.1:1/authorize"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(out)
		if err == nil {
			if string(b) != "http://127.0.0.1:1/authorize" {
				t.Errorf("browser got %q", b)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the $BROWSER command never ran")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBrowserOpenerReportsFailure(t *testing.T) {
	b := BrowserOpener{Getenv: func(string) string { return "/nonexistent-browser" }, GOOS: "plan-none"}
	// the fallback xdg-open may exist; only the $BROWSER-only failure is checked when it does not
	if _, err := exec.LookPath("xdg-open"); err == nil {
		t.Skip("xdg-open installed")
	}
	if _, err := b.Open(context.Background(), "http://127.0.0.1:1/"); err == nil || !strings.Contains(err.Error(), "BROWSER") {
		t.Errorf("err = %v", err)
	}
}

// TestSessionSurvivesIdPRestart: the key and the refresh tokens are persisted under DataDir.
func TestSessionSurvivesIdPRestart(t *testing.T) {
	log, _ := newLogger(t)
	dir := t.TempDir()
	first, err := devidp.New(devidp.Options{DataDir: dir, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	port := strings.TrimPrefix(first.Issuer(), "http://127.0.0.1:")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = first.Serve(ctx) }()
	s, err := flowFor(first, Config{Logger: log}).Login(context.Background(), newBrowser("analyst", "desklit"))
	cancel()
	<-done
	if err != nil {
		t.Fatal(err)
	}

	var p int
	if _, err := fmt.Sscan(port, &p); err != nil {
		t.Fatal(err)
	}
	second := startIdP(t, log, devidp.Options{DataDir: dir, Port: p})
	if second.Issuer() != first.Issuer() {
		t.Fatalf("issuer changed: %s", second.Issuer())
	}
	ns, err := flowFor(second, Config{Logger: log}).Refresh(context.Background(), s)
	if err != nil {
		t.Fatalf("refresh after restart: %v", err)
	}
	checkAccessToken(t, second, s.AccessToken, "read:messages") // old access token still verifies
	checkAccessToken(t, second, ns.AccessToken, "read:messages")
}

func TestCallbackAcceptsOneRequest(t *testing.T) {
	cb := newCallbackServer(80, "y")
	go func() {
		c := <-cb.results
		c.reply <- outcome{session: &session.Session{View: session.View{User: session.User{Name: "Ada"}}}}
	}()
	for i, want := range []int{http.StatusOK, http.StatusConflict} {
		rr := httptest.NewRecorder()
		if i == 0 { // a wrong state before the real one is turned away and does not count
			cb.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:80/callback?code=x&state=z", nil))
			if rr.Code != http.StatusBadRequest {
				t.Errorf("wrong state: status %d, want 400", rr.Code)
			}
			rr = httptest.NewRecorder()
		}
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:80/callback?code=x&state=y", nil)
		cb.ServeHTTP(rr, req)
		if rr.Code != want {
			t.Errorf("request %d: status %d, want %d", i+1, rr.Code, want)
		}
		if i == 0 && !strings.Contains(rr.Body.String(), "Signed in to Desklit as Ada") {
			t.Errorf("completion page: %s", rr.Body)
		}
	}
	rr := httptest.NewRecorder()
	cb.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, "http://evil.example/callback", nil))
	if rr.Code != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: %d", rr.Code)
	}
}

// A taken callback port names the program that holds it, as the services' ports do.
func TestCallbackPortInUseNamesTheHolder(t *testing.T) {
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	opened := false
	o := OpenerFunc(func(context.Context, string) (<-chan error, error) { opened = true; return nil, nil })
	_, err = flowFor(idp, Config{Logger: log, CallbackPort: port}).Login(context.Background(), o)
	var pe *supervisor.PortInUseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *supervisor.PortInUseError", err)
	}
	if pe.PID != int32(os.Getpid()) || pe.Port != port || pe.Service != "sign-in callback" {
		t.Errorf("holder %+v, want this process (pid %d) on port %d", pe, os.Getpid(), port)
	}
	if want := fmt.Sprintf("port %d (sign-in callback) is in use by", port); !strings.Contains(err.Error(), want) {
		t.Errorf("err %q lacks %q", err, want)
	}
	if opened {
		t.Error("the sign-in page was opened without a callback listener")
	}
}
