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

// The dev IdP's tokens: access tokens, refresh-token families (rotation, reuse detection,
// revocation) and the end of a session.

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
