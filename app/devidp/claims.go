package devidp

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The dev IdP's signing key, its one client, and the claims it puts in tokens and userinfo.

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

func (s *storage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	s.setUserinfo(ui, op.IssuerFromContext(ctx), req.GetSubject(), scopes)
	return nil
}

func (s *storage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, _, _ string) error {
	a, err := s.liveAccess(tokenID)
	if err != nil {
		return err
	}
	s.setUserinfo(ui, op.IssuerFromContext(ctx), a.UserID, a.Scopes)
	return nil
}

// liveAccess is the access token tokenID while it is neither expired nor revoked.
func (s *storage) liveAccess(tokenID string) (*accessRecord, error) {
	s.mu.Lock()
	a, ok := s.state.Access[tokenID]
	s.mu.Unlock()
	if !ok || time.Now().After(a.Expiry) {
		return nil, errors.New("access token invalid, expired or revoked")
	}
	return a, nil
}

// setUserinfo fills in the profile and email claims the scopes grant. A user with no picture of
// its own gets the provider's drawing of its initials (AvatarPath), as every Google account has
// a picture: apps written for Google's sign-in show st.user.picture.
func (s *storage) setUserinfo(ui *oidc.UserInfo, issuer, sub string, scopes []string) {
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
			if ui.Picture == "" && issuer != "" {
				ui.Picture = strings.TrimSuffix(issuer, "/") + AvatarPath + url.PathEscape(u.Username) + ".png"
			}
		case oidc.ScopeEmail:
			ui.Email = u.Email
			ui.EmailVerified = true
		}
	}
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, r *oidc.IntrospectionResponse, tokenID, _, clientID string) error {
	a, err := s.liveAccess(tokenID)
	if err != nil {
		return err
	}
	r.Active = true
	r.Subject = a.UserID
	r.ClientID = a.ClientID
	r.Scope = a.Scopes
	r.Expiration = oidc.FromTime(a.Expiry)
	return nil
}

// GetPrivateClaimsFromRequest adds the access token's scope claim (space-separated, as Auth0
// and RFC 9068 do) and the permissions the user holds; with the email scope granted, also the
// user's email and email_verified (every dev user's address counts as verified), as an Auth0
// tenant does with a post-login Action that sets them on access tokens (docs/services.md):
// Desklit's guard hands a verified email on to a service as X-Desklit-Email.
func (s *storage) GetPrivateClaimsFromRequest(_ context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	scopes := req.GetScopes()
	claims := map[string]any{"scope": strings.Join(scopes, " ")}
	if u, ok := userBySub(s.users, req.GetSubject()); ok {
		perms := u.Permissions
		if perms == nil {
			perms = []string{}
		}
		claims["permissions"] = perms
		if u.Email != "" && slices.Contains(scopes, oidc.ScopeEmail) {
			claims["email"], claims["email_verified"] = u.Email, true
		}
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
