// Package session defines the signed-in session that the shell keeps in the keyring, the store
// interface it is kept behind, and the change notifications the rest of the app subscribes to.
package session

import (
	"context"
	"errors"
	"time"
)

// User holds the ID token's profile claims.
type User struct {
	Sub     string `json:"sub"`
	Name    string `json:"name,omitempty"`
	Email   string `json:"email,omitempty"`
	Picture string `json:"picture,omitempty"`
}

// View is the session as everything past the shell sees it: who is signed in and the tokens
// they may use, never the refresh token (only the shell refreshes). It is the one token-bearing
// shape: the control channel carries it as this JSON, and the component server's /api/session
// answer is made from it, which in turn makes the component's events for Python
// (testdata/session-contract.json pins both for the Go, TypeScript and Python suites). Token
// fields are secrets: never log or print them.
type View struct {
	Issuer      string    `json:"issuer"`
	ClientID    string    `json:"client_id"`
	User        User      `json:"user"`
	AccessToken string    `json:"access_token"`
	IDToken     string    `json:"id_token"`
	TokenType   string    `json:"token_type,omitempty"`
	Scope       string    `json:"scope,omitempty"`
	Expiry      time.Time `json:"expiry"`
}

// Session is what a sign-in produces: the View and the refresh token. Its JSON, flat, is what
// the keyring keeps on users' machines (app/keyringstore tests that today's entries still load).
type Session struct {
	View
	RefreshToken string `json:"refresh_token,omitempty"`
}

// Expired reports whether the access token has expired at now (with no margin).
func (v *View) Expired(now time.Time) bool { return !v.Expiry.IsZero() && !now.Before(v.Expiry) }

// ExpirySkew is the margin before a token's expiry in which it is no longer worth sending (clocks
// drift, requests take time); desklit_auth's DEFAULT_SKEW is the same (testdata/expiry-contract.json).
const ExpirySkew = 30 * time.Second

// Usable reports whether the access token is worth sending at now: there is one, and its expiry
// is unknown (the API checks exp itself) or more than ExpirySkew away. testdata/expiry-contract.json
// pins this rule for Go and Python alike.
func (v *View) Usable(now time.Time) bool {
	return v.AccessToken != "" && (v.Expiry.IsZero() || now.Add(ExpirySkew).Before(v.Expiry))
}

// String never reveals a token.
func (v View) String() string {
	return "session{user=" + v.User.Sub + " expiry=" + v.Expiry.UTC().Format(time.RFC3339) + "}"
}

// String never reveals a token.
func (s *Session) String() string {
	if s == nil {
		return "<no session>"
	}
	return s.View.String()
}

// ErrNotFound means no session is stored.
var ErrNotFound = errors.New("no session stored")

// Store keeps one session. Implementations bound every call by the context's deadline.
type Store interface {
	Load(ctx context.Context) (*Session, error)
	Save(ctx context.Context, s *Session) error
	Delete(ctx context.Context) error
}
