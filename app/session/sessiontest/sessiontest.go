// Package sessiontest holds the session the tests of the session's readers share: one analyst
// whose tokens are marker strings, so that a test can look for them in logs and answers.
package sessiontest

import (
	"time"

	"github.com/desklit/desklit/app/session"
)

// Secrets are Ada's token values, none of which may show in a log or an error.
var Secrets = []string{"ACCESS-TOKEN-SECRET-VALUE", "ID-TOKEN-SECRET-VALUE", "REFRESH-TOKEN-SECRET-VALUE"}

// Ada is a session of Ada Analyst on the dev IdP's defaults, expiring in 2030 (in CET, so that a
// reader that answers in UTC shows it converts).
func Ada() *session.Session {
	return &session.Session{
		View: session.View{
			Issuer:      "http://127.0.0.1:9010",
			ClientID:    "desklit-desktop",
			User:        session.User{Sub: "user-1", Name: "Ada Analyst", Email: "ada@example.test"},
			AccessToken: Secrets[0],
			IDToken:     Secrets[1],
			TokenType:   "Bearer",
			Scope:       "openid profile",
			Expiry:      time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600)),
		},
		RefreshToken: Secrets[2],
	}
}
