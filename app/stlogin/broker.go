// Package stlogin lets apps written for Streamlit's own sign-in (st.login, st.user, st.logout)
// sign in through Desklit's one session. Desklit serves, per launch, a small OpenID provider on
// 127.0.0.1 (the broker) and points Streamlit's [auth] at it through a secrets file of its own.
// Streamlit's /auth/login then redirects to the broker, whose authorize endpoint answers at once
// when Desklit is signed in (single sign-on: no password again) and otherwise starts Desklit's
// sign-in (the native sign-in window or the system browser: the provider's pages are never shown
// in a frame) and answers when it ends. Its token endpoint hands Streamlit an ID token it signs
// with a per-launch key, carrying the session's profile claims, and the session's own access
// token; its end-session endpoint, where st.logout() leads, signs out of Desklit.
//
// Strict like any provider: one client (id and secret per launch), one redirect URI, PKCE S256,
// state and nonce required, codes single-use and short-lived, the Host header checked, and no
// browser request (one with an Origin header) at the token endpoint.
package stlogin

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/httpguard"
	"github.com/desklit/desklit/app/randtoken"
	"github.com/desklit/desklit/app/session"
)

// ClientID is the one client the broker knows: Streamlit's [auth] client_id.
const ClientID = "desklit-streamlit"

// codeTTL bounds how long an authorization code may wait for its redemption.
const codeTTL = time.Minute

// Sessions is Desklit's session as the broker needs it (the shell's session manager).
type Sessions interface {
	Current() *session.Session
	Login(ctx context.Context) error
	Logout(ctx context.Context) error
}

// Broker is the per-launch OpenID provider Streamlit's [auth] points at.
type Broker struct {
	ln     net.Listener
	port   int
	sess   func() Sessions // nil while the session side is starting
	log    *slog.Logger
	key    *rsa.PrivateKey
	keyID  string
	secret string // the client secret

	mu          sync.Mutex
	redirectURI string
	hint        string // what a failed sign-in's message adds (SetSignInHint)
	codes       map[string]grant
	pending     *signIn
	base        context.Context
	// again is how long after a sign-in began that another request for one starts it anew
	// rather than waits for it: the first one's page was likely closed (a system browser's tab).
	again time.Duration
}

// signInAgain is Broker.again by default: requests within it (a double click, several tabs) join
// the sign-in under way.
const signInAgain = 5 * time.Second

type signIn struct {
	done     chan struct{}
	err      error
	started  time.Time
	cancel   context.CancelFunc
	replaced bool // ended for a newer sign-in, which its waiters join (set under Broker.mu)
}

// New binds 127.0.0.1 on a free port and makes the per-launch key and client secret. sess
// returns Desklit's session manager, or nil while it is not ready. redirectURI is Streamlit's
// /oauth2callback (SetRedirectURI changes it when Streamlit moves to another port).
func New(sess func() Sessions, redirectURI string, log *slog.Logger) (*Broker, error) {
	if log == nil {
		log = slog.Default()
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("st.login broker key: %w", err)
	}
	ln, err := httpguard.Listen(0)
	if err != nil {
		return nil, fmt.Errorf("st.login broker: %w", err)
	}
	return &Broker{
		ln: ln, port: httpguard.Port(ln), sess: sess, log: log, key: key,
		keyID: randtoken.New(8), secret: randtoken.New(32), redirectURI: redirectURI,
		codes: map[string]grant{}, base: context.Background(),
	}, nil
}

// Issuer is the broker's issuer URL (no trailing slash).
func (b *Broker) Issuer() string { return fmt.Sprintf("http://127.0.0.1:%d", b.port) }

// MetadataURL is what Streamlit's server_metadata_url names.
func (b *Broker) MetadataURL() string { return b.Issuer() + "/.well-known/openid-configuration" }

// ClientSecret is the per-launch client secret Streamlit's [auth] carries.
func (b *Broker) ClientSecret() string { return b.secret }

// RedirectURI is Streamlit's /oauth2callback the broker redirects to.
func (b *Broker) RedirectURI() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.redirectURI
}

// SetRedirectURI changes Streamlit's /oauth2callback (Streamlit started on another port).
func (b *Broker) SetRedirectURI(u string) {
	b.mu.Lock()
	b.redirectURI = u
	b.mu.Unlock()
}

// SetSignInHint sets what the message of a failed Desklit sign-in adds: the redirect URI the
// provider must know, where the user may have to register it.
func (b *Broker) SetSignInHint(h string) {
	b.mu.Lock()
	b.hint = h
	b.mu.Unlock()
}

// errStarting: the broker answers before the shell's sessions are there.
var errStarting = errors.New("Desklit's sign-in is still starting")

// signInFailed is the message of a Desklit sign-in that did not complete, with the hint.
func (b *Broker) signInFailed(err error) string {
	b.mu.Lock()
	hint := b.hint
	b.mu.Unlock()
	why, ok := authflow.Message(err)
	if !ok {
		why = "see Desklit's log for the reason"
	}
	msg := "Desklit's sign-in did not complete: " + why
	var unreachable *authflow.DiscoveryError
	if hint != "" && !errors.As(err, &unreachable) { // the provider's page never opened: no page to have shown an error
		msg += ". " + hint
	}
	return msg
}

// Serve answers until ctx ends; a sign-in it started lasts at most as long.
func (b *Broker) Serve(ctx context.Context) error {
	b.mu.Lock()
	b.base = ctx
	b.mu.Unlock()
	return httpguard.Serve(ctx, httpguard.NewServer(b.Handler()), b.ln)
}

// Handler is the broker's routes behind the Host check.
func (b *Broker) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", b.metadata)
	mux.HandleFunc("GET /jwks", b.jwks)
	mux.HandleFunc("GET /authorize", b.authorize)
	mux.HandleFunc("POST /token", b.token)
	mux.HandleFunc("GET /logout", b.logout)
	mux.HandleFunc("GET /session", b.session)
	mux.HandleFunc("POST /session/login", b.sessionLogin)
	mux.HandleFunc("POST /session/logout", b.sessionLogout)
	return httpguard.HostCheck(b.port, mux)
}

func (b *Broker) metadata(w http.ResponseWriter, _ *http.Request) {
	iss := b.Issuer()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                         iss,
		"authorization_endpoint":                         iss + "/authorize",
		"token_endpoint":                                 iss + "/token",
		"jwks_uri":                                       iss + "/jwks",
		"end_session_endpoint":                           iss + "/logout",
		"response_types_supported":                       []string{"code"},
		"grant_types_supported":                          []string{"authorization_code"},
		"subject_types_supported":                        []string{"public"},
		"id_token_signing_alg_values_supported":          []string{"RS256"},
		"code_challenge_methods_supported":               []string{"S256"},
		"token_endpoint_auth_methods_supported":          []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                               []string{"openid", "profile", "email"},
		"authorization_response_iss_parameter_supported": true,
	})
}

func (b *Broker) jwks(w http.ResponseWriter, _ *http.Request) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &b.key.PublicKey, KeyID: b.keyID, Algorithm: string(jose.RS256), Use: "sig",
	}}}
	writeJSON(w, http.StatusOK, set)
}

// sessions returns the session manager, or an error while Desklit is starting.
func (b *Broker) sessions() (Sessions, error) {
	if s := b.sess(); s != nil {
		return s, nil
	}
	return nil, errStarting
}

// signIn starts Desklit's sign-in, or joins the one under way, and waits for it or for ctx. The
// sign-in itself outlives ctx (a browser that gave up does not close the sign-in window). A
// request that comes more than Broker.again after the one under way began starts it anew, once
// that one has ended (the callback's port is free again): the user closed the browser tab it
// opened and clicked Log in again, which used to wait for the closed tab's five minutes.
func (b *Broker) signIn(ctx context.Context, s Sessions) error {
	for {
		b.mu.Lock()
		p := b.pending
		switch {
		case p == nil:
			lctx, cancel := context.WithCancel(b.base)
			p = &signIn{done: make(chan struct{}), started: time.Now(), cancel: cancel}
			b.pending = p
			go func() {
				err := s.Login(lctx)
				cancel()
				b.mu.Lock()
				p.err = err
				if b.pending == p {
					b.pending = nil
				}
				b.mu.Unlock()
				close(p.done)
			}()
		case !p.replaced && time.Since(p.started) > cmp.Or(b.again, signInAgain):
			p.replaced = true
			p.cancel()
		}
		b.mu.Unlock()
		select {
		case <-p.done:
			if p.replaced {
				continue // the newer sign-in, started by the first of its waiters to come back
			}
			return p.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}
