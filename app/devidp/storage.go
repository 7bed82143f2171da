package devidp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// storage is the dev IdP's op.Storage: one public native client, the demo users, auth requests
// in memory, and access and refresh tokens persisted (0600 JSON) so that a session outlives a
// restart. Refresh tokens are opaque random strings; only their SHA-256 is kept.
type storage struct {
	client    *client
	audience  string
	accessTTL time.Duration
	refreshTT time.Duration
	key       *signingKey
	users     []User
	stateFile string
	log       *slog.Logger

	mu       sync.Mutex
	requests map[string]*authRequest // by id
	codes    map[string]string       // code -> request id
	spent    map[string]*spentCode   // code -> what it was redeemed for, once its request is gone
	state    tokenState

	devices deviceRequests // device sign-ins in progress (device.go)
}

// spentCode remembers a redeemed authorization code after its sign-in request is deleted, so
// that a second use is recognised as such (and revokes what the first one issued) rather than
// answered as merely unknown. Codes live in memory only, like the requests.
type spentCode struct {
	issued redemption
	expiry time.Time
}

// redemption is what a code's one successful use issued: the refresh-token family (empty
// without offline_access) and the access token's id.
type redemption struct {
	family   string
	accessID string
}

// tokenState is what tokens.json holds.
type tokenState struct {
	Refresh map[string]*refreshRecord `json:"refresh"` // by SHA-256 of the token
	Access  map[string]*accessRecord  `json:"access"`  // by token id (jti)
	// Used remembers rotated-away refresh tokens (by SHA-256): presenting one again means it
	// leaked, and the whole family (every descendant) is revoked, as Auth0 does.
	Used map[string]*usedRecord `json:"used"`
}

type usedRecord struct {
	Family string    `json:"family"`
	Expiry time.Time `json:"expiry"`
}

type refreshRecord struct {
	ClientID string    `json:"client_id"`
	UserID   string    `json:"sub"`
	Audience []string  `json:"aud"`
	Scopes   []string  `json:"scopes"`
	AuthTime time.Time `json:"auth_time"`
	AMR      []string  `json:"amr,omitempty"`
	Expiry   time.Time `json:"expiry"`
	AccessID string    `json:"access_id"`
	Family   string    `json:"family"`
}

type accessRecord struct {
	ClientID  string    `json:"client_id"`
	UserID    string    `json:"sub"`
	Scopes    []string  `json:"scopes"`
	Expiry    time.Time `json:"expiry"`
	RefreshID string    `json:"refresh_id,omitempty"`
}

var (
	_ op.Storage                        = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*storage)(nil)
	_ op.CanGetPrivateClaimsFromRequest = (*storage)(nil)
)

type ctxKey int

const audienceKey ctxKey = 1

// withAudience carries the authorize request's `audience` parameter to CreateAuthRequest.
func withAudience(ctx context.Context, aud string) context.Context {
	return context.WithValue(ctx, audienceKey, aud)
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

func (s *storage) loadState() error {
	s.state = tokenState{Refresh: map[string]*refreshRecord{}, Access: map[string]*accessRecord{}, Used: map[string]*usedRecord{}}
	b, err := os.ReadFile(s.stateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read token state: %w", err)
	}
	var st tokenState
	if err := json.Unmarshal(b, &st); err != nil {
		// A corrupt file only costs the demo sessions: start afresh rather than refuse to run.
		s.log.Warn("dev IdP token state unreadable; starting with no sessions", "file", s.stateFile, "err", err)
		return nil
	}
	if st.Refresh != nil {
		s.state.Refresh = st.Refresh
	}
	if st.Access != nil {
		s.state.Access = st.Access
	}
	if st.Used != nil {
		s.state.Used = st.Used
	}
	return nil
}

// saveLocked prunes expired records and writes tokens.json; s.mu must be held.
func (s *storage) saveLocked() error {
	now := time.Now()
	for k, r := range s.state.Refresh {
		if now.After(r.Expiry) {
			delete(s.state.Refresh, k)
		}
	}
	for k, a := range s.state.Access {
		if now.After(a.Expiry) {
			delete(s.state.Access, k)
		}
	}
	for k, u := range s.state.Used {
		if now.After(u.Expiry) {
			delete(s.state.Used, k)
		}
	}
	b, err := json.Marshal(&s.state)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(s.stateFile, b); err != nil {
		return fmt.Errorf("save token state: %w", err)
	}
	return nil
}
