package authflow

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/desklit/desklit/app/devidp"
	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/session"
)

func newLogger(t *testing.T) (*slog.Logger, *testutil.SyncBuffer) {
	t.Helper()
	lb := &testutil.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
	prev := slog.Default()
	slog.SetDefault(log) // zitadel's op logs through the default logger
	t.Cleanup(func() { slog.SetDefault(prev) })
	return log, lb
}

// assertNoTokens fails if any token of the sessions appears in the logs.
func assertNoTokens(t *testing.T, logs string, sessions ...*session.Session) {
	t.Helper()
	for _, s := range sessions {
		if s == nil {
			continue
		}
		for name, v := range map[string]string{"access": s.AccessToken, "id": s.IDToken, "refresh": s.RefreshToken} {
			if v != "" && strings.Contains(logs, v) {
				t.Errorf("the %s token appears in the logs", name)
			}
		}
	}
}

func startIdP(t *testing.T, log *slog.Logger, opts devidp.Options) *devidp.Server {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	opts.Logger = log
	srv, err := devidp.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	testutil.Serve(t, srv.Serve)
	return srv
}

// stored is the session in store, nil when there is none.
func stored(t *testing.T, store session.Store) *session.Session {
	t.Helper()
	s, err := store.Load(context.Background())
	if err != nil && !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("load the stored session: %v", err)
	}
	return s
}

// testBrowser is the scripted user: it loads the authorize URL, fills the dev IdP's sign-in
// form and follows the redirects to the loopback callback. It records what it saw.
type testBrowser struct {
	user, password string
	// tamper, when set, rewrites the authorize URL before it is loaded.
	tamper func(u *url.URL)
	// action is the button pressed: "" or "signin", or "cancel".
	action string

	mu          sync.Mutex
	callbackURL string // the redirect that reached the loopback listener
	redirectURI string // from the authorize URL
	err         error
	done        chan struct{}
}

func newBrowser(user, password string) *testBrowser {
	return &testBrowser{user: user, password: password, done: make(chan struct{})}
}

func (b *testBrowser) Open(ctx context.Context, raw string) (<-chan error, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	b.mu.Lock()
	b.redirectURI = u.Query().Get("redirect_uri")
	b.done = done
	b.mu.Unlock()
	if b.tamper != nil {
		b.tamper(u)
	}
	go func() {
		defer close(done)
		err := b.run(ctx, u.String())
		b.mu.Lock()
		b.err = err
		b.mu.Unlock()
	}()
	return nil, nil
}

func (b *testBrowser) run(ctx context.Context, authURL string) error {
	hc := &http.Client{Timeout: 10 * time.Second}
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/callback" {
			b.mu.Lock()
			b.callbackURL = req.URL.String()
			b.mu.Unlock()
		}
		return nil
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != "/login" {
		return nil // the provider answered without a sign-in page (an error redirect)
	}
	id := resp.Request.URL.Query().Get("authRequestID")
	login := resp.Request.URL.ResolveReference(&url.URL{Path: "/login"})
	form := url.Values{"id": {id}, "username": {b.user}, "password": {b.password}, "action": {b.action}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, login.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil
}

func (b *testBrowser) wait(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	done := b.done
	b.mu.Unlock()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("test browser did not finish")
	}
}

func (b *testBrowser) redirect() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.redirectURI
}

// assertClosed fails if something still listens on the callback address.
func assertClosed(t *testing.T, redirectURI string) {
	t.Helper()
	u, err := url.Parse(redirectURI)
	if err != nil || u.Host == "" {
		t.Fatalf("no callback address recorded (%q)", redirectURI)
	}
	c, err := net.DialTimeout("tcp", u.Host, time.Second)
	if err == nil {
		c.Close()
		t.Errorf("callback listener %s still open after the sign-in", u.Host)
	}
}

func isErr(err, target error) bool { return errors.Is(err, target) }

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
