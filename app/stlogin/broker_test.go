package stlogin

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/session"
)

// fakeSessions is Desklit's session manager: Login signs in as Ada after a moment (or fails).
type fakeSessions struct {
	mu        sync.Mutex
	cur       *session.Session
	logins    atomic.Int32
	logouts   atomic.Int32
	loginErr  error
	loginWait chan struct{}
}

func (f *fakeSessions) Current() *session.Session {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cur == nil {
		return nil
	}
	cp := *f.cur
	return &cp
}

func (f *fakeSessions) Login(ctx context.Context) error {
	f.logins.Add(1)
	if f.loginWait != nil {
		select {
		case <-f.loginWait:
		case <-ctx.Done(): // the sign-in's page closed, as a newer sign-in does it
			return fmt.Errorf("%w: %v", authflow.ErrCancelled, ctx.Err())
		}
	}
	if f.loginErr != nil {
		return f.loginErr
	}
	f.mu.Lock()
	f.cur = ada()
	f.mu.Unlock()
	return nil
}

func (f *fakeSessions) Logout(ctx context.Context) error {
	f.logouts.Add(1)
	f.mu.Lock()
	f.cur = nil
	f.mu.Unlock()
	return nil
}

// ada is a session whose issuer ID token carries profile claims beyond the User.
func ada() *session.Session {
	payload, _ := json.Marshal(map[string]any{"iss": "https://idp.example", "aud": "x", "sub": "demo|analyst",
		"nonce": "theirs", "name": "Ada Analyst", "email": "ada@example.com", "email_verified": true})
	idt := "e30." + base64.RawURLEncoding.EncodeToString(payload) + ".sig"
	return &session.Session{View: session.View{User: session.User{Sub: "demo|analyst", Name: "Ada Analyst",
		Email: "ada@example.com"}, AccessToken: "the-access-token", IDToken: idt,
		Expiry: time.Now().Add(10 * time.Minute)}}
}

const redirectURI = "http://127.0.0.1:4010/oauth2callback"

func start(t *testing.T, f *fakeSessions) *Broker {
	t.Helper()
	b, err := New(func() Sessions { return f }, redirectURI, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = b.Serve(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return b
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

const verifier = "a-code-verifier-of-at-least-forty-three-characters-long"

func challenge(v string) string {
	s := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(s[:])
}

func authorizeQuery(mod func(url.Values)) url.Values {
	q := url.Values{"response_type": {"code"}, "client_id": {ClientID}, "redirect_uri": {redirectURI},
		"scope": {"openid email profile"}, "state": {"st"}, "nonce": {"nn"},
		"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}}
	if mod != nil {
		mod(q)
	}
	return q
}

// authorize returns the redirect's query (or fails on a non-redirect).
func authorize(t *testing.T, b *Broker, q url.Values) url.Values {
	t.Helper()
	resp, err := noRedirect.Get(b.Issuer() + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d, want a redirect", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURI {
		t.Fatalf("redirected to %s", got)
	}
	return loc.Query()
}

func redeem(b *Broker, form url.Values, basic bool, hdr map[string]string) (int, map[string]any) {
	req, _ := http.NewRequest("POST", b.Issuer()+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(ClientID, b.ClientSecret())
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func tokenForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}, "code_verifier": {verifier}}
}

func TestSignedInAnswersAtOnceWithAnIDTokenAnOIDCClientAccepts(t *testing.T) {
	f := &fakeSessions{cur: ada()}
	b := start(t, f)
	got := authorize(t, b, authorizeQuery(nil))
	if got.Get("state") != "st" || got.Get("code") == "" || got.Get("iss") != b.Issuer() {
		t.Fatalf("redirect query %v", got)
	}
	if f.logins.Load() != 0 {
		t.Fatal("signed in: no sign-in may start")
	}
	status, tok := redeem(b, tokenForm(got.Get("code")), true, nil)
	if status != 200 || tok["access_token"] != "the-access-token" || tok["token_type"] != "Bearer" {
		t.Fatalf("token: %d %v", status, tok)
	}
	// What Authlib does, with go-oidc: discovery, JWKS, issuer, audience, expiry, signature.
	ctx := context.Background()
	prov, err := oidc.NewProvider(ctx, b.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	idt, err := prov.Verifier(&oidc.Config{ClientID: ClientID}).Verify(ctx, tok["id_token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	_ = idt.Claims(&claims)
	if claims["nonce"] != "nn" || claims["sub"] != "demo|analyst" || claims["name"] != "Ada Analyst" ||
		claims["email"] != "ada@example.com" || claims["email_verified"] != true {
		t.Fatalf("claims %v", claims)
	}
	// A code is good once.
	if status, body := redeem(b, tokenForm(got.Get("code")), true, nil); status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("second redemption: %d %v", status, body)
	}
}

func TestTokenEndpointIsStrict(t *testing.T) {
	f := &fakeSessions{cur: ada()}
	b := start(t, f)
	cases := []struct {
		name   string
		form   func(url.Values)
		basic  bool
		hdr    map[string]string
		status int
		err    string
	}{
		{"wrong verifier", func(v url.Values) { v.Set("code_verifier", verifier+"x") }, true, nil, 400, "invalid_grant"},
		{"no verifier", func(v url.Values) { v.Del("code_verifier") }, true, nil, 400, "invalid_grant"},
		{"other redirect URI", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:1/oauth2callback") }, true, nil, 400, "invalid_grant"},
		{"no client secret", nil, false, nil, 401, "invalid_client"},
		{"secret in the form", func(v url.Values) { v.Set("client_id", ClientID); v.Set("client_secret", b.ClientSecret()) }, false, nil, 200, ""},
		{"wrong secret in the form", func(v url.Values) { v.Set("client_id", ClientID); v.Set("client_secret", "guess") }, false, nil, 401, "invalid_client"},
		{"a browser", nil, true, map[string]string{"Origin": "http://evil.example"}, 403, "invalid_request"},
		{"other grant", func(v url.Values) { v.Set("grant_type", "refresh_token") }, true, nil, 400, "unsupported_grant_type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := tokenForm(authorize(t, b, authorizeQuery(nil)).Get("code"))
			if c.form != nil {
				c.form(form)
			}
			status, body := redeem(b, form, c.basic, c.hdr)
			if status != c.status || (c.err != "" && body["error"] != c.err) {
				t.Fatalf("got %d %v, want %d %s", status, body, c.status, c.err)
			}
		})
	}
}

func TestAuthorizeIsStrict(t *testing.T) {
	b := start(t, &fakeSessions{cur: ada()})
	for _, c := range []struct {
		name string
		mod  func(url.Values)
		err  string
	}{
		{"no PKCE", func(q url.Values) { q.Del("code_challenge") }, "invalid_request"},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, "invalid_request"},
		{"no nonce", func(q url.Values) { q.Del("nonce") }, "invalid_request"},
		{"implicit", func(q url.Values) { q.Set("response_type", "token") }, "unsupported_response_type"},
		{"no openid", func(q url.Values) { q.Set("scope", "email") }, "invalid_scope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := authorize(t, b, authorizeQuery(c.mod)); got.Get("error") != c.err || got.Get("code") != "" {
				t.Fatalf("got %v, want error %s", got, c.err)
			}
		})
	}
	// Not Streamlit's request: an error page, never a redirect.
	for _, mod := range []func(url.Values){
		func(q url.Values) { q.Set("client_id", "other") },
		func(q url.Values) { q.Set("redirect_uri", "http://evil.example/oauth2callback") },
	} {
		resp, err := noRedirect.Get(b.Issuer() + "/authorize?" + authorizeQuery(mod).Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
			t.Fatalf("foreign request: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// A navigation another site started (Fetch Metadata) opens no sign-in and gets no code.
	req, _ := http.NewRequest("GET", b.Issuer()+"/authorize?"+authorizeQuery(nil).Encode(), nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" {
		t.Fatalf("cross-site: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// DNS rebinding: a foreign Host header.
	if status := testutil.Status(t, b.Issuer()+"/.well-known/openid-configuration", map[string]string{"Host": "evil.example"}); status != http.StatusMisdirectedRequest {
		t.Fatalf("foreign Host: %d", status)
	}
}

func TestSignedOutStartsOneDesklitSignInForEveryWaitingRequest(t *testing.T) {
	f := &fakeSessions{loginWait: make(chan struct{})}
	b := start(t, f)
	var wg sync.WaitGroup
	codes := make([]string, 3)
	for i := range codes {
		wg.Add(1)
		go func() { defer wg.Done(); codes[i] = authorize(t, b, authorizeQuery(nil)).Get("code") }()
	}
	for f.logins.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // the other requests join the sign-in under way
	close(f.loginWait)
	wg.Wait()
	if n := f.logins.Load(); n != 1 {
		t.Fatalf("%d sign-ins, want 1", n)
	}
	for _, c := range codes {
		if status, _ := redeem(b, tokenForm(c), true, nil); status != 200 {
			t.Fatalf("code of a waiting request: %d", status)
		}
	}
}

// A request for a sign-in well after the one under way began (the user closed the browser tab it
// opened, and clicked Log in again) starts a new one, once the first has ended; the request that
// was waiting for the first gets the new one's answer too.
func TestSignInAgainAfterTheFirstWasLeft(t *testing.T) {
	f := &fakeSessions{loginWait: make(chan struct{})}
	b := start(t, f)
	b.again = 100 * time.Millisecond
	codes := make([]string, 2)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); codes[0] = authorize(t, b, authorizeQuery(nil)).Get("code") }()
	for f.logins.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	wg.Add(1)
	go func() { defer wg.Done(); codes[1] = authorize(t, b, authorizeQuery(nil)).Get("code") }()
	for deadline := time.Now().Add(5 * time.Second); f.logins.Load() < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			close(f.loginWait)
			wg.Wait()
			t.Fatal("the request asked again joined the sign-in left behind: no new sign-in began")
		}
	}
	close(f.loginWait)
	wg.Wait()
	if n := f.logins.Load(); n != 2 {
		t.Fatalf("%d sign-ins, want 2: the first, left, and the one asked for again", n)
	}
	for i, c := range codes {
		if status, _ := redeem(b, tokenForm(c), true, nil); c == "" || status != 200 {
			t.Fatalf("request %d: code %q redeemed with %d", i, c, status)
		}
	}
}

// A sign-in that did not complete is a page at the broker that says why, with the way back to the
// app: Streamlit drops an access_denied redirect and shows the app signed out, without a word.
func TestFailedSignInSaysWhy(t *testing.T) {
	f := &fakeSessions{loginErr: fmt.Errorf("%w: the sign-in window was closed", authflow.ErrCancelled)}
	b := start(t, f)
	b.SetSignInHint("register http://127.0.0.1:9011/callback")
	page := func() string {
		t.Helper()
		resp, err := noRedirect.Get(b.Issuer() + "/authorize?" + authorizeQuery(nil).Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" ||
			!strings.Contains(string(body), `<a href="`+strings.TrimSuffix(redirectURI, "/oauth2callback")+`/">Back to the app</a>`) {
			t.Fatalf("a failed sign-in: %d %q, want a page with the way back", resp.StatusCode, body)
		}
		return html.UnescapeString(string(body))
	}
	if got := page(); !strings.Contains(got, "Desklit's sign-in did not complete: sign-in cancelled. register http://127.0.0.1:9011/callback") {
		t.Fatalf("got %q", got)
	}
	// The provider could not be reached (hola_mundo's Google issuer, offline): said, and not the
	// hint about the provider's page, which never opened.
	f.loginErr = fmt.Errorf("discover the provider https://accounts.google.com: %w", &authflow.DiscoveryError{Issuer: "https://accounts.google.com",
		Err: &net.DNSError{Err: "no such host", Name: "accounts.google.com", IsNotFound: true}})
	if d := page(); !strings.Contains(d, "Desklit's sign-in did not complete: the sign-in provider https://accounts.google.com could not be reached: its address is not known here") ||
		strings.Contains(d, "register") {
		t.Fatalf("an unreachable provider: %q", d)
	}
	// Not one of ours: the page says where the reason is, never Go's text.
	f.loginErr = errors.New("exchange: Post \"http://127.0.0.1:9/token\": dial tcp 127.0.0.1:9: connection refused")
	if d := page(); strings.Contains(d, "dial tcp") || !strings.Contains(d, "Desklit's log") {
		t.Fatalf("got %q", d)
	}
}

func TestSignedOutBetweenCodeAndTokenGetsNoToken(t *testing.T) {
	f := &fakeSessions{cur: ada()}
	b := start(t, f)
	code := authorize(t, b, authorizeQuery(nil)).Get("code")
	_ = f.Logout(context.Background())
	if status, body := redeem(b, tokenForm(code), true, nil); status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("got %d %v", status, body)
	}
}

func TestLogoutSignsDesklitOutOnlyWithTheBrokersIDToken(t *testing.T) {
	f := &fakeSessions{cur: ada()}
	b := start(t, f)
	_, tok := redeem(b, tokenForm(authorize(t, b, authorizeQuery(nil)).Get("code")), true, nil)
	foreign := "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"
	get := func(hint, back string) *http.Response {
		q := url.Values{"client_id": {ClientID}, "post_logout_redirect_uri": {back}, "id_token_hint": {hint}}
		resp, err := noRedirect.Get(b.Issuer() + "/logout?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := get(tok["id_token"].(string), "http://evil.example/"); resp.StatusCode != 400 || f.logouts.Load() != 0 {
		t.Fatalf("foreign post-logout URI: %d, %d sign-outs", resp.StatusCode, f.logouts.Load())
	}
	if resp := get(foreign, redirectURI); resp.StatusCode != 302 || f.logouts.Load() != 0 {
		t.Fatalf("foreign hint: %d, %d sign-outs", resp.StatusCode, f.logouts.Load())
	}
	if resp := get(tok["id_token"].(string), redirectURI); resp.StatusCode != 302 ||
		resp.Header.Get("Location") != redirectURI || f.logouts.Load() != 1 {
		t.Fatalf("the app's sign-out: %d %q, %d sign-outs", resp.StatusCode, resp.Header.Get("Location"), f.logouts.Load())
	}
}
