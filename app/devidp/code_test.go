package devidp

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/desklit/desklit/app/internal/testutil"
)

// codeClient drives the dev IdP as the desktop app does, but stops at the loopback redirect: the
// test holds the authorization code and decides how often to redeem it.
type codeClient struct {
	t        *testing.T
	srv      *Server
	redirect string
	verifier string
	scope    string // "" = openid profile email offline_access
}

func startServer(t *testing.T) *Server {
	t.Helper()
	srv, err := New(Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Serve(t, srv.Serve)
	return srv
}

// signIn signs the analyst in and returns the authorization code from the redirect.
func (c *codeClient) signIn() string {
	t := c.t
	t.Helper()
	c.redirect = "http://127.0.0.1:1/callback" // never contacted: the redirect is not followed
	c.verifier = oauth2.GenerateVerifier()
	q := url.Values{
		"client_id": {DefaultClientID}, "response_type": {"code"}, "redirect_uri": {c.redirect},
		"scope": {cmp.Or(c.scope, "openid profile email offline_access")}, "state": {"s"}, "nonce": {"n"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(c.verifier)}, "code_challenge_method": {"S256"},
		"audience": {DefaultAudience},
	}
	hc := &http.Client{CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := hc.Get(c.srv.URL() + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("no sign-in page: landed on %s", resp.Request.URL)
	}
	resp, err = hc.PostForm(c.srv.URL()+"/login", url.Values{"id": {id}, "username": {"analyst"}, "password": {"desklit"}, "action": {"signin"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("no code in the redirect (status %d)", resp.StatusCode)
	}
	return loc.Query().Get("code")
}

type tokenAnswer struct {
	status       int
	Error        string `json:"error"`
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
}

func (c *codeClient) token(form url.Values) tokenAnswer {
	form.Set("client_id", DefaultClientID)
	resp, err := http.PostForm(c.srv.URL()+"/oauth/token", form)
	if err != nil {
		c.t.Error(err)
		return tokenAnswer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var a tokenAnswer
	_ = json.Unmarshal(b, &a)
	a.status = resp.StatusCode
	return a
}

func (c *codeClient) redeem(code string) tokenAnswer {
	return c.token(url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {c.redirect}, "code_verifier": {c.verifier}})
}

func (c *codeClient) refresh(rt string) tokenAnswer {
	return c.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

func (c *codeClient) userinfo(at string) int {
	req, _ := http.NewRequest(http.MethodGet, c.srv.URL()+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A code is single use however many requests race for it (RFC 6749 section 4.1.2), and every
// use after the first revokes what the first issued.
func TestCodeRedeemedOnceUnderConcurrency(t *testing.T) {
	srv := startServer(t)
	c := &codeClient{t: t, srv: srv}
	code := c.signIn()

	const n = 8
	answers := make([]tokenAnswer, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			answers[i] = c.redeem(code)
		}()
	}
	close(start)
	wg.Wait()

	var won []tokenAnswer
	var statuses []string
	for _, a := range answers {
		statuses = append(statuses, fmt.Sprintf("%d %s", a.status, a.Error))
		if a.status == http.StatusOK {
			won = append(won, a)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d of %d redemptions of one code succeeded, want exactly 1: %s", len(won), n, strings.Join(statuses, ", "))
	}
	for _, a := range answers {
		if a.status != http.StatusOK && a.Error != "invalid_grant" {
			t.Errorf("a losing redemption answered %d %q, want invalid_grant", a.status, a.Error)
		}
	}
	// The others were second uses: the refresh token the winner got is revoked.
	if a := c.refresh(won[0].RefreshToken); a.status == http.StatusOK {
		t.Error("the refresh token issued from a code used more than once still works")
	}
}

func TestSecondUseOfCodeRevokesItsTokens(t *testing.T) {
	srv := startServer(t)
	c := &codeClient{t: t, srv: srv}
	code := c.signIn()

	first := c.redeem(code)
	if first.status != http.StatusOK || first.RefreshToken == "" {
		t.Fatalf("first redemption: %d %q", first.status, first.Error)
	}
	if st := c.userinfo(first.AccessToken); st != http.StatusOK {
		t.Fatalf("userinfo with a fresh access token: %d", st)
	}
	if second := c.redeem(code); second.status == http.StatusOK || second.Error != "invalid_grant" {
		t.Fatalf("second redemption: %d %q, want invalid_grant", second.status, second.Error)
	}
	if a := c.refresh(first.RefreshToken); a.status == http.StatusOK {
		t.Error("the refresh token still works after its code was used again")
	}
	if st := c.userinfo(first.AccessToken); st == http.StatusOK {
		t.Error("the dev IdP still honours the access token after its code was used again")
	}

	// A fresh sign-in is not affected.
	code2 := c.signIn()
	a := c.redeem(code2)
	if a.status != http.StatusOK {
		t.Fatalf("a new sign-in: %d %q", a.status, a.Error)
	}
	if r := c.refresh(a.RefreshToken); r.status != http.StatusOK {
		t.Errorf("refresh after a new sign-in: %d %q", r.status, r.Error)
	}
}

// jwtPayload decodes a JWT's claims without verifying it (the test only reads them).
func jwtPayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d segments", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// audience reads aud as a list whether it is a string or an array.
func audience(m map[string]any) []string {
	switch v := m["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, a := range v {
			s, _ := a.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

// The ID token names only the client as its audience (OIDC Core 2), so that it can never pass
// for an access token at the API; the access token names the API. Both after a refresh too.
func TestTokenAudiences(t *testing.T) {
	srv := startServer(t)
	c := &codeClient{t: t, srv: srv}
	first := c.redeem(c.signIn())
	if first.status != http.StatusOK {
		t.Fatalf("redeem: %d %q", first.status, first.Error)
	}
	refreshed := c.refresh(first.RefreshToken)
	if refreshed.status != http.StatusOK {
		t.Fatalf("refresh: %d %q", refreshed.status, refreshed.Error)
	}
	for name, a := range map[string]tokenAnswer{"code": first, "refresh": refreshed} {
		if got := audience(jwtPayload(t, a.IDToken)); len(got) != 1 || got[0] != DefaultClientID {
			t.Errorf("%s grant: ID token aud = %v, want [%s]", name, got, DefaultClientID)
		}
		at := jwtPayload(t, a.AccessToken)
		if got := audience(at); !slices.Contains(got, DefaultAudience) {
			t.Errorf("%s grant: access token aud = %v, want it to hold %s", name, got, DefaultAudience)
		}
		if _, ok := at["scope"]; !ok {
			t.Errorf("%s grant: access token without a scope claim", name)
		}
		for _, k := range []string{"nonce", "at_hash"} {
			if _, ok := at[k]; ok {
				t.Errorf("%s grant: access token carries %s", name, k)
			}
		}
	}
}

// TestAccessTokenEmail: with the email scope granted, the access token carries the user's email
// and email_verified (as an Auth0 tenant's post-login Action can put them there), also after a
// refresh, so that Desklit's guard can hand the email on as X-Desklit-Email; without it, neither.
func TestAccessTokenEmail(t *testing.T) {
	srv := startServer(t)
	for _, tt := range []struct{ scope, email string }{
		{"openid profile email offline_access", "ada@example.com"},
		{"openid profile offline_access", ""},
	} {
		c := &codeClient{t: t, srv: srv, scope: tt.scope}
		first := c.redeem(c.signIn())
		if first.status != http.StatusOK {
			t.Fatalf("scope %q: redeem: %d %q", tt.scope, first.status, first.Error)
		}
		refreshed := c.refresh(first.RefreshToken)
		for name, a := range map[string]tokenAnswer{"code": first, "refresh": refreshed} {
			at := jwtPayload(t, a.AccessToken)
			email, _ := at["email"].(string)
			verified, hasVerified := at["email_verified"]
			switch {
			case email != tt.email:
				t.Errorf("scope %q, %s grant: access token email %q, want %q", tt.scope, name, email, tt.email)
			case tt.email != "" && verified != true:
				t.Errorf("scope %q, %s grant: email_verified %v, want true", tt.scope, name, verified)
			case tt.email == "" && hasVerified:
				t.Errorf("scope %q, %s grant: email_verified without the email scope", tt.scope, name)
			}
		}
	}
}
