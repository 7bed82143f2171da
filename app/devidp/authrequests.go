package devidp

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/desklit/desklit/app/randtoken"
)

// The dev IdP's auth requests and their codes: created with PKCE S256 only, redeemed once (a
// second redemption revokes what the first one issued), and the demo users' sign-in.

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
		return errWrongPassword
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok {
		return errRequestGone
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
