package keyringstore_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/session"
)

// secretMarker is in every token the tests make: it must never reach a log line or an error.
const secretMarker = "SECRETVALUE"

// newLogger returns a logger whose output is checked for secrets when the test ends.
func newLogger(t *testing.T) (*slog.Logger, *testutil.SyncBuffer) {
	t.Helper()
	b := &testutil.SyncBuffer{}
	t.Cleanup(func() {
		if strings.Contains(b.String(), secretMarker) {
			t.Errorf("a token value reached the log:\n%s", b.String())
		}
	})
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// checkErr fails the test if err reveals a token.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), secretMarker) {
		t.Errorf("a token value reached an error: %v", err)
	}
}

// padding is random filler for tokens, made once: the torn-read test makes thousands.
var padding = randHex(8 << 10)

func randHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// token returns a token-like string of about n bytes tagged with id and secretMarker.
func token(id string, n int) string {
	head := fmt.Sprintf("eyJ%s.%s.", id, secretMarker)
	if n <= len(head) {
		return head
	}
	pad := padding
	for len(pad) < n-len(head) {
		pad += padding
	}
	return head + pad[:n-len(head)]
}

// newSession returns a session of about size bytes of JSON whose fields all carry id, so that a
// mix of two sessions is visible.
func newSession(id string, size int) *session.Session {
	tok := max(size-600, 300) / 3
	return &session.Session{
		View: session.View{
			Issuer:   "https://issuer.example/",
			ClientID: "desklit-desktop",
			User: session.User{
				Sub: "user|" + id, Name: "Zoë Ångström " + id, Email: id + "@example.com",
				Picture: "https://example.com/" + id + ".png",
			},
			AccessToken: token("at"+id, tok),
			IDToken:     token("id"+id, tok),
			TokenType:   "Bearer",
			Scope:       "openid profile email offline_access",
			Expiry:      time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC),
		},
		RefreshToken: token("rt"+id, tok),
	}
}

// consistent reports whether every field of s carries the same id.
func consistent(s *session.Session) (string, bool) {
	id := strings.TrimPrefix(s.User.Sub, "user|")
	ok := strings.HasPrefix(s.AccessToken, "eyJat"+id+".") &&
		strings.HasPrefix(s.IDToken, "eyJid"+id+".") &&
		strings.HasPrefix(s.RefreshToken, "eyJrt"+id+".") &&
		s.User.Email == id+"@example.com" && s.User.Name == "Zoë Ångström "+id
	return id, ok
}

// sameSession compares two sessions, their expiry as an instant.
func sameSession(a, b *session.Session) bool {
	x, y := *a, *b
	return x.Expiry.Equal(y.Expiry) && func() bool { x.Expiry, y.Expiry = time.Time{}, time.Time{}; return x == y }()
}
