package control

import (
	"time"

	"github.com/desklit/desklit/app/session"
)

// wireSession is the session as the control channel carries it: everything the component needs,
// never the refresh token (only the shell refreshes).
type wireSession struct {
	Issuer      string       `json:"issuer"`
	ClientID    string       `json:"client_id"`
	User        session.User `json:"user"`
	AccessToken string       `json:"access_token"`
	IDToken     string       `json:"id_token"`
	TokenType   string       `json:"token_type,omitempty"`
	Scope       string       `json:"scope,omitempty"`
	Expiry      time.Time    `json:"expiry"`
}

func toWire(s *session.Session) wireSession {
	return wireSession{
		Issuer: s.Issuer, ClientID: s.ClientID, User: s.User,
		AccessToken: s.AccessToken, IDToken: s.IDToken, TokenType: s.TokenType,
		Scope: s.Scope, Expiry: s.Expiry.UTC(),
	}
}

func (w wireSession) session() *session.Session {
	return &session.Session{
		Issuer: w.Issuer, ClientID: w.ClientID, User: w.User,
		AccessToken: w.AccessToken, IDToken: w.IDToken, TokenType: w.TokenType,
		Scope: w.Scope, Expiry: w.Expiry,
	}
}

const (
	actionLimit  = 10 * time.Minute // a sign-in waits for a person
	sessionLimit = 5 * time.Second
)
