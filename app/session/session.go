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

// Session is what a sign-in produces. Token fields are secrets: never log or print them.
type Session struct {
	Issuer       string    `json:"issuer"`
	ClientID     string    `json:"client_id"`
	User         User      `json:"user"`
	AccessToken  string    `json:"access_token"`
	IDToken      string    `json:"id_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Scope        string    `json:"scope,omitempty"`
	Expiry       time.Time `json:"expiry"`
}

// Expired reports whether the access token has expired at now (with no margin).
func (s *Session) Expired(now time.Time) bool { return !s.Expiry.IsZero() && !now.Before(s.Expiry) }

// String never reveals a token.
func (s *Session) String() string {
	if s == nil {
		return "<no session>"
	}
	return "session{user=" + s.User.Sub + " expiry=" + s.Expiry.UTC().Format(time.RFC3339) + "}"
}

// ErrNotFound means no session is stored.
var ErrNotFound = errors.New("no session stored")

// Store keeps one session. Implementations bound every call by the context's deadline.
type Store interface {
	Load(ctx context.Context) (*Session, error)
	Save(ctx context.Context, s *Session) error
	Delete(ctx context.Context) error
}
