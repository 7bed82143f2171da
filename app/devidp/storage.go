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
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/desklit/desklit/app/randtoken"
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

// --- auth requests ---

// CreateAuthRequest refuses requests without PKCE S256 and with an unknown audience.
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	if req.CodeChallenge == "" {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE is required: send code_challenge with code_challenge_method=S256")
	}
	if req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		return nil, oidc.ErrLoginRequired()
	}
	aud, _ := ctx.Value(audienceKey).(string)
	if aud == "" {
		aud = s.audience
	}
	if aud != s.audience {
		return nil, oidc.ErrInvalidRequest().WithDescription("unknown audience")
	}
	ar := &authRequest{
		ID:           randtoken.New(16),
		Created:      time.Now(),
		ClientID:     req.ClientID,
		RedirectURI:  req.RedirectURI,
		State:        req.State,
		Nonce:        req.Nonce,
		Scopes:       req.Scopes,
		ResponseType: req.ResponseType,
		ResponseMode: req.ResponseMode,
		Challenge:    &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod},
		Audience:     []string{req.ClientID, aud},
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, r := range s.requests { // abandoned sign-ins
		if time.Since(r.Created) > 15*time.Minute {
			s.deleteRequestLocked(id)
		}
	}
	for code, sp := range s.spent { // kept as long as a refresh token issued from it can live
		if time.Now().After(sp.expiry) {
			delete(s.spent, code)
		}
	}
	s.requests[ar.ID] = ar
	return ar, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok {
		return nil, errors.New("sign-in request not found or expired")
	}
	return r, nil
}

// AuthRequestByCode finds the sign-in a code belongs to. A code that was already redeemed is
// refused, and what it was redeemed for is revoked (RFC 6749 section 4.1.2): someone else holds
// the code. Two uses racing each other both get here; redeemLocked lets only one through.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sp, ok := s.spent[code]; ok {
		s.revokeRedemptionLocked(sp.issued)
		return nil, errCodeReused
	}
	id, ok := s.codes[code]
	if !ok {
		return nil, errors.New("code invalid or expired")
	}
	r, ok := s.requests[id]
	if !ok {
		return nil, errors.New("sign-in request not found or expired")
	}
	if r.redeemed != nil {
		s.revokeRedemptionLocked(*r.redeemed)
		return nil, errCodeReused
	}
	return r, nil
}

var errCodeReused = errors.New("code already used; the tokens issued from it are revoked")

// redeemLocked marks the sign-in's code as used when tokens are issued from it; a second
// redemption that got past AuthRequestByCode at the same time as the first is refused here and
// revokes what the first issued. s.mu must be held.
func (s *storage) redeemLocked(req op.TokenRequest) error {
	ar, ok := req.(*authRequest)
	if !ok {
		return nil
	}
	if ar.redeemed != nil {
		s.revokeRedemptionLocked(*ar.redeemed)
		return oidc.ErrInvalidGrant().WithDescription("invalid code").WithParent(errCodeReused)
	}
	ar.redeemed = &redemption{}
	return nil
}

// revokeRedemptionLocked revokes what a code's first use issued: the refresh-token family and
// the access token's record. The access token itself is a signed JWT that the protected API
// checks offline, so it stays usable there until it expires (DefaultAccessTTL); the dev IdP's
// own userinfo and introspection refuse it at once. s.mu must be held.
func (s *storage) revokeRedemptionLocked(r redemption) {
	if r.family != "" {
		s.revokeFamilyLocked(r.family, "an authorization code was used again")
		return
	}
	if _, ok := s.state.Access[r.accessID]; ok {
		delete(s.state.Access, r.accessID)
		s.log.Warn("dev IdP: an authorization code was used again; its access token is revoked")
		if err := s.saveLocked(); err != nil {
			s.log.Warn("dev IdP: save token state", "err", err)
		}
	}
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteRequestLocked(id)
	return nil
}

func (s *storage) deleteRequestLocked(id string) {
	r := s.requests[id]
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
			if r != nil && r.redeemed != nil {
				s.spent[code] = &spentCode{issued: *r.redeemed, expiry: time.Now().Add(s.refreshTT)}
			}
		}
	}
}

// authenticate checks a demo user's password and completes the auth request.
func (s *storage) authenticate(id, username, password string) error {
	u, ok := findUser(s.users, username, password)
	if !ok {
		return errors.New("wrong username or password")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok {
		return errors.New("this sign-in request has expired; start the sign-in again from the app")
	}
	r.UserID = u.Sub
	r.done = true
	r.authTime = time.Now()
	r.Scopes = grantScopes(r.Scopes, u.Permissions)
	return nil
}

// grantScopes keeps the requested OIDC scopes and the requested API scopes the user holds, and
// adds the user's permissions (Auth0 RBAC puts them in the access token without asking).
func grantScopes(requested, permissions []string) []string {
	var out []string
	for _, sc := range requested {
		if isOIDCScope(sc) || slices.Contains(permissions, sc) {
			out = append(out, sc)
		}
	}
	for _, p := range permissions {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func isOIDCScope(sc string) bool {
	switch sc {
	case oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopeOfflineAccess,
		oidc.ScopePhone, oidc.ScopeAddress:
		return true
	}
	return false
}

// --- tokens ---

// tokenInfo extracts what every token request has in common.
func tokenInfo(req op.TokenRequest) (clientID string, aud []string, authTime time.Time, amr []string) {
	switch r := req.(type) {
	case *authRequest:
		return r.ClientID, r.Audience, r.authTime, r.GetAMR()
	case *refreshRequest:
		return r.rec.ClientID, r.rec.Audience, r.rec.AuthTime, r.rec.AMR
	case *op.DeviceAuthorizationState:
		return r.ClientID, r.GetAudience(), r.AuthTime, r.AMR
	}
	return "", req.GetAudience(), time.Time{}, nil
}

func (s *storage) newAccessLocked(clientID, sub string, scopes []string, refreshID string) (string, time.Time) {
	id := randtoken.New(16)
	exp := time.Now().Add(s.accessTTL)
	s.state.Access[id] = &accessRecord{ClientID: clientID, UserID: sub, Scopes: scopes, Expiry: exp, RefreshID: refreshID}
	return id, exp
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	clientID, _, _, _ := tokenInfo(req)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.redeemLocked(req); err != nil {
		return "", time.Time{}, err
	}
	id, exp := s.newAccessLocked(clientID, req.GetSubject(), req.GetScopes(), "")
	if ar, ok := req.(*authRequest); ok {
		ar.redeemed.accessID = id
	}
	return id, exp, s.saveLocked()
}

// CreateAccessAndRefreshTokens issues a new refresh token every time; with currentRefreshToken
// set it is a rotation: the old refresh token and its access token stop working at once.
func (s *storage) CreateAccessAndRefreshTokens(_ context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	clientID, aud, authTime, amr := tokenInfo(req)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.redeemLocked(req); err != nil {
		return "", "", time.Time{}, err
	}
	family := randtoken.New(12)
	if current != "" {
		h := hashToken(current)
		old, ok := s.state.Refresh[h]
		if !ok {
			return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token already used or revoked")
		}
		delete(s.state.Refresh, h)
		delete(s.state.Access, old.AccessID)
		family = old.Family
		s.state.Used[h] = &usedRecord{Family: family, Expiry: old.Expiry}
	}
	tok := randtoken.New(32)
	h := hashToken(tok)
	accessID, exp := s.newAccessLocked(clientID, req.GetSubject(), req.GetScopes(), h)
	s.state.Refresh[h] = &refreshRecord{
		ClientID: clientID, UserID: req.GetSubject(), Audience: aud, Scopes: req.GetScopes(),
		AuthTime: authTime, AMR: amr, Expiry: time.Now().Add(s.refreshTT), AccessID: accessID, Family: family,
	}
	if ar, ok := req.(*authRequest); ok {
		*ar.redeemed = redemption{family: family, accessID: accessID}
	}
	if err := s.saveLocked(); err != nil {
		return "", "", time.Time{}, err
	}
	return accessID, tok, exp, nil
}

func (s *storage) TokenRequestByRefreshToken(_ context.Context, tok string) (op.RefreshTokenRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := hashToken(tok)
	if used, ok := s.state.Used[h]; ok {
		s.revokeFamilyLocked(used.Family, "a rotated refresh token was presented again")
		return nil, errors.New("refresh token reused; its whole session is revoked")
	}
	rec, ok := s.state.Refresh[h]
	if !ok || time.Now().After(rec.Expiry) {
		return nil, errors.New("refresh token invalid, expired, used or revoked")
	}
	cp := *rec
	cp.Scopes = slices.Clone(rec.Scopes)
	return &refreshRequest{rec: &cp}, nil
}

// revokeFamilyLocked revokes every refresh token descended from the same sign-in, and their
// access tokens' records; why says what gave the session away.
func (s *storage) revokeFamilyLocked(family, why string) {
	for k, r := range s.state.Refresh {
		if r.Family == family {
			delete(s.state.Refresh, k)
			delete(s.state.Access, r.AccessID)
		}
	}
	s.log.Warn("dev IdP: " + why + "; the session is revoked")
	if err := s.saveLocked(); err != nil {
		s.log.Warn("dev IdP: save token state", "err", err)
	}
}

// TerminateSession ends every session of the user with the client: all its tokens stop working.
func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	if userID == "" { // a logout without id_token_hint: there are no browser sessions to end
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, r := range s.state.Refresh {
		if r.UserID == userID && r.ClientID == clientID {
			delete(s.state.Refresh, k)
		}
	}
	for k, a := range s.state.Access {
		if a.UserID == userID && a.ClientID == clientID {
			delete(s.state.Access, k)
		}
	}
	s.log.Info("dev IdP session ended", "sub", userID, "client_id", clientID)
	return s.saveLocked()
}

func (s *storage) GetRefreshTokenInfo(_ context.Context, clientID, tok string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := hashToken(tok)
	rec, ok := s.state.Refresh[h]
	if !ok || rec.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rec.UserID, h, nil
}

// RevokeToken receives a refresh token's id (its hash, from GetRefreshTokenInfo) or an access
// token's id. Unknown tokens are not an error (RFC 7009).
func (s *storage) RevokeToken(_ context.Context, idOrToken, _ string, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.state.Refresh[idOrToken]; ok {
		if rec.ClientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
		}
		delete(s.state.Refresh, idOrToken)
		delete(s.state.Access, rec.AccessID)
	} else if a, ok := s.state.Access[idOrToken]; ok {
		if a.ClientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
		}
		delete(s.state.Access, idOrToken)
	} else {
		return nil
	}
	if err := s.saveLocked(); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// --- keys ---

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return privateKey{s.key}, nil }
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}
func (s *storage) KeySet(context.Context) ([]op.Key, error) { return []op.Key{publicKey{s.key}}, nil }

// --- clients and claims ---

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.client.id {
		return nil, errors.New("unknown client")
	}
	return s.client, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, _ string) error {
	return errors.New("client " + id + " is a public client without a secret")
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *storage) SetUserinfoFromRequest(_ context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	s.setUserinfo(ui, req.GetSubject(), scopes)
	return nil
}

func (s *storage) SetUserinfoFromToken(_ context.Context, ui *oidc.UserInfo, tokenID, _, _ string) error {
	s.mu.Lock()
	a, ok := s.state.Access[tokenID]
	s.mu.Unlock()
	if !ok || time.Now().After(a.Expiry) {
		return errors.New("access token invalid, expired or revoked")
	}
	s.setUserinfo(ui, a.UserID, a.Scopes)
	return nil
}

func (s *storage) setUserinfo(ui *oidc.UserInfo, sub string, scopes []string) {
	ui.Subject = sub
	u, ok := userBySub(s.users, sub)
	if !ok {
		return
	}
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeProfile:
			ui.Name = u.Name
			ui.PreferredUsername = u.Username
			ui.Picture = u.Picture
		case oidc.ScopeEmail:
			ui.Email = u.Email
			ui.EmailVerified = true
		}
	}
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, r *oidc.IntrospectionResponse, tokenID, _, clientID string) error {
	s.mu.Lock()
	a, ok := s.state.Access[tokenID]
	s.mu.Unlock()
	if !ok || time.Now().After(a.Expiry) {
		return errors.New("access token invalid, expired or revoked")
	}
	r.Active = true
	r.Subject = a.UserID
	r.ClientID = a.ClientID
	r.Scope = a.Scopes
	r.Expiration = oidc.FromTime(a.Expiry)
	return nil
}

// GetPrivateClaimsFromRequest adds the access token's scope claim (space-separated, as Auth0
// and RFC 9068 do) and the permissions the user holds.
func (s *storage) GetPrivateClaimsFromRequest(_ context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	claims := map[string]any{"scope": strings.Join(req.GetScopes(), " ")}
	if u, ok := userBySub(s.users, req.GetSubject()); ok {
		perms := u.Permissions
		if perms == nil {
			perms = []string{}
		}
		claims["permissions"] = perms
	}
	return claims, nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("JWT profile is not supported")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("JWT profile is not supported")
}

func (s *storage) Health(context.Context) error { return nil }
