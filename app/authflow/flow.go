// Package authflow signs the user in with OAuth 2.0 Authorization Code + PKCE against any OpenID
// Connect issuer (Auth0 or the embedded dev IdP), refreshes the tokens and signs out. It has no
// Wails dependency: the authorize URL is shown through an Opener (system browser or a native
// window process), and the redirect lands on a loopback listener that exists only while a
// sign-in is in progress and accepts exactly one callback: the first that carries the sign-in's
// state (any other request gets a 400 page and the sign-in goes on waiting).
//
// Concurrent Login calls are serialised: a second call waits until the first has finished (or
// its own context ends), then runs its own sign-in.
package authflow

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/desklit/desklit/app/httpguard"
	"github.com/desklit/desklit/app/issuer"
	"github.com/desklit/desklit/app/randtoken"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/supervisor"
)

// DefaultTimeout bounds a sign-in the user abandons.
const DefaultTimeout = 5 * time.Minute

// Errors a caller may tell apart with errors.Is. None of them ever contains a token.
var (
	ErrCancelled      = errors.New("sign-in cancelled")
	ErrTimeout        = errors.New("sign-in timed out")
	ErrStateMismatch  = errors.New("sign-in callback does not belong to this sign-in (state mismatch or replayed callback)")
	ErrNoCode         = errors.New("sign-in callback carries no authorization code")
	ErrNonceMismatch  = errors.New("ID token nonce does not match this sign-in")
	ErrIDToken        = errors.New("ID token rejected")
	ErrExchange       = errors.New("code exchange refused")
	ErrInvalidGrant   = session.ErrInvalidGrant
	ErrNoRefreshToken = errors.New("session has no refresh token")
)

// ProviderError is an error the provider sent to the callback (error=access_denied ...).
type ProviderError struct {
	Code        string
	Description string
}

func (e *ProviderError) Error() string {
	if e.Description != "" {
		return fmt.Sprintf("the provider refused the sign-in: %s (%s)", e.Code, e.Description)
	}
	return "the provider refused the sign-in: " + e.Code
}

// Config describes the provider and the client.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string   // a confidential client's (an st.login app's [auth]); "" for a native one
	Audience     string   // sent as `audience`; omitted when empty
	Scopes       []string // default openid profile email offline_access
	CallbackPort int      // 0 picks a free port (tests); Auth0 needs the fixed, registered one
	Timeout      time.Duration
	HTTPClient   *http.Client
	Logger       *slog.Logger
}

// Flow signs in, refreshes and signs out against one provider.
type Flow struct {
	cfg  Config
	log  *slog.Logger
	busy chan struct{} // holds one token while a sign-in runs

	mu       sync.Mutex
	provider *oidc.Provider
	meta     issuer.Document
}

// New returns a Flow; nothing is contacted until the first call.
func New(cfg Config) *Flow {
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Flow{cfg: cfg, log: log.With("component", "authflow"), busy: make(chan struct{}, 1)}
}

// issuer is the issuer as the provider spells it (after discovery).
func (f *Flow) issuer() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg.Issuer
}

func (f *Flow) clientCtx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, f.cfg.HTTPClient)
}

func (f *Flow) oauthConfig(p *oidc.Provider, redirect string) *oauth2.Config {
	ep := p.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInParams // client_id (and a confidential client's secret) in the body
	return &oauth2.Config{ClientID: f.cfg.ClientID, ClientSecret: f.cfg.ClientSecret, Endpoint: ep, RedirectURL: redirect, Scopes: f.cfg.Scopes}
}

// Login runs one interactive sign-in: it opens the authorize URL with o, waits for the single
// callback, exchanges the code and verifies the ID token. It returns the new session; storing
// it is the caller's job (see session.Manager).
func (f *Flow) Login(ctx context.Context, o Opener) (*session.Session, error) {
	p, meta, release, err := f.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer release()

	ln, err := httpguard.Listen(f.cfg.CallbackPort)
	if err != nil {
		return nil, fmt.Errorf("open the sign-in callback: %w", callbackPortError(f.cfg.CallbackPort, err))
	}
	port := httpguard.Port(ln)
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", port)
	verifier := oauth2.GenerateVerifier()
	state, nonce := randtoken.New(32), randtoken.New(32)
	cb := newCallbackServer(port, state)
	defer serveCallback(ctx, ln, cb)()

	conf := f.oauthConfig(p, redirect)
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)}
	if f.cfg.Audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", f.cfg.Audience))
	}
	authURL := conf.AuthCodeURL(state, opts...)

	openCtx, closeUI := context.WithCancel(ctx)
	defer closeUI() // closes a sign-in window as soon as the flow ends
	f.log.Info("sign-in started", "issuer", f.issuer(), "callback", redirect)
	closed, err := o.Open(openCtx, authURL)
	if err != nil {
		return nil, fmt.Errorf("show the sign-in page: %w", err)
	}

	c, err := f.awaitCallback(ctx, cb, closed)
	if err != nil {
		return nil, err
	}
	s, err := f.complete(ctx, p, conf, c.query, state, nonce, verifier, meta)
	c.reply <- outcome{session: s, err: err}
	if err != nil {
		f.log.Warn("sign-in failed", "err", err)
		return nil, err
	}
	f.log.Info("signed in", "sub", s.User.Sub, "expiry", s.Expiry)
	return s, nil
}

// awaitCallback waits for the one callback of this sign-in, the sign-in window's closing, the
// timeout or ctx's end.
func (f *Flow) awaitCallback(ctx context.Context, cb *callbackServer, closed <-chan error) (callback, error) {
	timer := time.NewTimer(f.cfg.Timeout)
	defer timer.Stop()
	var c callback
	select {
	case c = <-cb.results:
	case werr := <-closed:
		select {
		case c = <-cb.results: // the callback won the race with the window's exit
		default:
			f.log.Info("sign-in cancelled: the sign-in window was closed")
			if werr != nil {
				return callback{}, fmt.Errorf("%w: the sign-in window closed (%v)", ErrCancelled, werr)
			}
			return callback{}, fmt.Errorf("%w: the sign-in window was closed", ErrCancelled)
		}
	case <-timer.C:
		f.log.Warn("sign-in timed out", "after", f.cfg.Timeout)
		return callback{}, fmt.Errorf("%w after %s: no answer from the sign-in page", ErrTimeout, f.cfg.Timeout)
	case <-ctx.Done():
		return callback{}, fmt.Errorf("%w: %w", ErrCancelled, ctx.Err())
	}
	return c, nil
}

// serveCallback serves the callback on ln until the returned function is called, which shuts it
// down: the listener closes at once and the completion page may finish.
func serveCallback(ctx context.Context, ln net.Listener, cb *callbackServer) (stop func()) {
	srv := httpguard.NewServer(cb)
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(ln) }()
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			_ = srv.Close()
		}
		<-served
	}
}

// callbackPortError names the program that holds the fixed callback port, as the services'
// port errors do (supervisor.CheckPort); any other bind failure stays as it was.
func callbackPortError(port int, err error) error {
	if port == 0 {
		return err
	}
	var pe *supervisor.PortInUseError
	if errors.As(supervisor.CheckPort("sign-in callback", port), &pe) {
		return pe
	}
	return err
}

// complete checks the callback, exchanges the code and verifies the ID token. The callback
// server has already turned away a wrong state; the check here keeps complete safe by itself.
func (f *Flow) complete(ctx context.Context, p *oidc.Provider, conf *oauth2.Config, q url.Values, state, nonce, verifier string, meta issuer.Document) (*session.Session, error) {
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return nil, ErrStateMismatch
	}
	if err := checkResponseIssuer(q, meta); err != nil {
		return nil, err
	}
	if code := q.Get("error"); code != "" {
		return nil, &ProviderError{Code: clean(code, 64), Description: clean(q.Get("error_description"), 300)}
	}
	code := q.Get("code")
	if code == "" {
		return nil, ErrNoCode
	}
	tok, err := conf.Exchange(f.clientCtx(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrExchange, describe(err))
	}
	return f.newSession(ctx, p, tok, nonce)
}

// newSession verifies the token response's ID token (issuer, audience = client id, expiry,
// signature and, for an authorization-code sign-in, the nonce) and makes the session from it.
// The device grant has no nonce: wantNonce is then empty and not checked.
func (f *Flow) newSession(ctx context.Context, p *oidc.Provider, tok *oauth2.Token, wantNonce string) (*session.Session, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("%w: the token response has no ID token", ErrIDToken)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: f.cfg.ClientID}).Verify(f.clientCtx(ctx), raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIDToken, err)
	}
	if wantNonce != "" && subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(wantNonce)) != 1 {
		return nil, ErrNonceMismatch
	}
	var claims struct {
		Name    string `json:"name"`
		Email   string `json:"email"`
		Picture string `json:"picture"`
	}
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrIDToken, err)
	}
	user := session.User{Sub: idt.Subject, Name: claims.Name, Email: claims.Email, Picture: claims.Picture}
	if user.Name == "" && user.Email == "" {
		f.fromUserinfo(ctx, p, tok, &user)
	}
	scope, _ := tok.Extra("scope").(string)
	return &session.Session{
		View: session.View{
			Issuer:      f.issuer(),
			ClientID:    f.cfg.ClientID,
			User:        user,
			AccessToken: tok.AccessToken,
			IDToken:     raw,
			TokenType:   tok.TokenType,
			Scope:       scope,
			Expiry:      tok.Expiry,
		},
		RefreshToken: tok.RefreshToken,
	}, nil
}

// fromUserinfo completes a user whose ID token carries no profile claims (a provider may keep them
// for userinfo when it issues an access token, as OpenID Connect Core 5.4 allows and
// oidc-provider does) from the userinfo endpoint. Its answer counts only for the ID token's
// subject (Core 5.3.2); any failure leaves the user as it was: the sign-in itself is complete.
func (f *Flow) fromUserinfo(ctx context.Context, p *oidc.Provider, tok *oauth2.Token, u *session.User) {
	if p.UserInfoEndpoint() == "" {
		return
	}
	ui, err := p.UserInfo(f.clientCtx(ctx), oauth2.StaticTokenSource(tok))
	if err != nil || ui.Subject != u.Sub {
		f.log.Warn("userinfo unavailable; the user is shown by subject", "err", err, "same_subject", err == nil && ui.Subject == u.Sub)
		return
	}
	var claims struct {
		Name    string `json:"name"`
		Picture string `json:"picture"`
	}
	_ = ui.Claims(&claims)
	u.Name, u.Email, u.Picture = claims.Name, ui.Email, claims.Picture
}

// describe turns an OAuth error into text without the response body (which a misbehaving
// server could fill with anything).
func describe(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		switch {
		case re.ErrorCode != "" && re.ErrorDescription != "":
			return clean(re.ErrorCode, 64) + ": " + clean(re.ErrorDescription, 300)
		case re.ErrorCode != "":
			return clean(re.ErrorCode, 64)
		case re.Response != nil:
			return "HTTP " + re.Response.Status
		}
	}
	return err.Error()
}

// clean bounds and de-controls text that came from outside before it goes into an error.
func clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// Bind returns the session.Provider that signs in with o, for session.NewManager: the one the
// shell runs and the one the tests drive.
func (f *Flow) Bind(o Opener) session.Provider { return bound{f, o} }

type bound struct {
	*Flow
	o Opener
}

func (b bound) Login(ctx context.Context) (*session.Session, error) { return b.Flow.Login(ctx, b.o) }
