package authflow

import (
	"bufio"
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
)

// oidcProviderEnv names test/oidc-provider with its node_modules installed (make test-go sets
// it; with it set a missing provider is a failure, without it the tests skip).
const oidcProviderEnv = "DESKLIT_TEST_OIDC_PROVIDER"

// startOIDCProvider runs panva's oidc-provider (a certified OpenID provider, not Desklit's own)
// on 127.0.0.1 with test/oidc-provider/server.mjs and returns its issuer.
func startOIDCProvider(t *testing.T) string {
	t.Helper()
	// The provider runs on Linux's node from npm (make test-go); a Windows build of these tests
	// (make test-windows, under Wine) has no Windows node to run it with.
	testutil.SkipUnderWine(t, "no Windows node in the Wine prefix to run oidc-provider")
	dir := os.Getenv(oidcProviderEnv)
	if dir == "" {
		dir = filepath.Join("..", "..", "test", "oidc-provider")
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider")); err != nil {
			testutil.Unavailable(t, "set %s to test/oidc-provider after npm ci there (make test-go does)", oidcProviderEnv)
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	port := testutil.FreePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, "server.mjs", strconv.Itoa(port))
	cmd.Dir = dir
	cmd.Stderr = io.Discard // its development-mode warnings
	cmd.WaitDelay = 3 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start oidc-provider: %v", err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if iss, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
				ready <- iss
			}
		}
	}()
	select {
	case iss := <-ready:
		return iss
	case <-time.After(30 * time.Second):
		t.Fatal("oidc-provider did not start within 30 s")
		return ""
	}
}

var (
	formRe  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRe = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	attrRe  = regexp.MustCompile(`(?is)([a-z_-]+)\s*=\s*"([^"]*)"`)
)

func attrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRe.FindAllStringSubmatch(tag, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

// person is the user at the provider's pages: from start, it submits each page's first form
// (its hidden fields, the login and password filled in) until a page has none, and returns that
// last page and every URL it was sent to.
func person(t *testing.T, start, login string) (last string, visited []string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 15 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		visited = append(visited, r.URL.String())
		return nil
	}}
	resp, err := hc.Get(start)
	for step := 0; step < 10; step++ {
		if err != nil {
			t.Errorf("provider page: %v", err)
			return "", visited
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		form := formRe.FindStringSubmatch(string(b))
		if form == nil {
			return string(b), visited
		}
		action, _ := resp.Request.URL.Parse(attrs(form[1])["action"])
		vals := url.Values{}
		for _, in := range inputRe.FindAllStringSubmatch(form[2], -1) {
			a := attrs(in[1])
			switch a["name"] {
			case "":
			case "login":
				vals.Set("login", login)
			case "password":
				vals.Set("password", "any-password")
			default:
				vals.Set(a["name"], a["value"])
			}
		}
		resp, err = hc.PostForm(action.String(), vals)
	}
	t.Error("the provider's pages did not end within 10 forms")
	return "", visited
}

// TestOIDCProviderDevice: `desklit login --device` against oidc-provider, with the issuer
// configured with a trailing slash that the provider does not write: the person approves the
// code on the provider's own pages; the ID token is verified and the session refreshes.
func TestOIDCProviderDevice(t *testing.T) {
	iss := startOIDCProvider(t)
	log, logs := newLogger(t)
	flow := New(Config{Issuer: iss + "/", ClientID: "desklit-desktop", Audience: testAudience, Logger: log})
	approved := make(chan string, 1)
	s, err := flow.DeviceLogin(context.Background(), func(c DeviceCode) {
		if c.UserCode == "" || !strings.HasPrefix(c.VerificationURI, iss+"/") || !strings.Contains(c.VerificationURIComplete, "user_code=") {
			t.Errorf("device code %+v", c)
		}
		go func() {
			last, _ := person(t, c.VerificationURIComplete, "alice")
			approved <- last
		}()
	})
	if err != nil {
		t.Fatalf("device sign-in: %v", err)
	}
	if last := <-approved; !strings.Contains(last, "Sign-in Success") {
		t.Errorf("the provider's last page: %.300s", last)
	}
	if s.User.Sub != "alice" || s.User.Name != "User alice" || s.Issuer != iss || s.IDToken == "" {
		t.Errorf("session %s user %+v issuer %q", s, s.User, s.Issuer)
	}
	if s.RefreshToken == "" {
		t.Fatal("no refresh token (offline_access)")
	}
	ns, err := flow.Refresh(context.Background(), s)
	if err != nil || ns.AccessToken == s.AccessToken {
		t.Fatalf("refresh: %v", err)
	}
	assertNoTokens(t, logs.String(), s, ns)
}

// TestOIDCProviderBrowser: the authorization code sign-in against oidc-provider, whose
// redirect carries RFC 9207's iss (its discovery announces it), which the flow checks.
func TestOIDCProviderBrowser(t *testing.T) {
	iss := startOIDCProvider(t)
	log, _ := newLogger(t)
	visits := make(chan []string, 1)
	opener := OpenerFunc(func(_ context.Context, authURL string) (<-chan error, error) {
		go func() { _, v := person(t, authURL, "bob"); visits <- v }()
		return nil, nil
	})
	s, err := New(Config{Issuer: iss, ClientID: "desklit-desktop", Logger: log}).Login(context.Background(), opener)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	if s.User.Sub != "bob" || s.User.Email != "bob@example.com" {
		t.Errorf("session user %+v", s.User)
	}
	var callback string
	for _, v := range <-visits { // the person is done once the callback page has answered
		if strings.Contains(v, "/callback?") {
			callback = v
		}
	}
	if u, err := url.Parse(callback); err != nil || u.Query().Get("iss") != iss {
		t.Errorf("the callback %q does not carry iss=%s", callback, iss)
	}
}
