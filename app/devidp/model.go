package devidp

import (
	"log/slog"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// authRequest is one sign-in in progress (op.AuthRequest).
type authRequest struct {
	ID           string
	Created      time.Time
	ClientID     string
	RedirectURI  string
	State        string
	Nonce        string
	Scopes       []string
	ResponseType oidc.ResponseType
	ResponseMode oidc.ResponseMode
	Challenge    *oidc.CodeChallenge
	Audience     []string
	UserID       string

	done     bool
	authTime time.Time
	// redeemed is set (under storage.mu) when tokens are issued from the request's code.
	redeemed *redemption
}

func (a *authRequest) GetID() string  { return a.ID }
func (a *authRequest) GetACR() string { return "" }
func (a *authRequest) GetAMR() []string {
	if a.done {
		return []string{"pwd"}
	}
	return nil
}
func (a *authRequest) GetAudience() []string                 { return a.Audience }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.Challenge }
func (a *authRequest) GetNonce() string                      { return a.Nonce }
func (a *authRequest) GetRedirectURI() string                { return a.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.ResponseMode }
func (a *authRequest) GetScopes() []string                   { return a.Scopes }
func (a *authRequest) GetState() string                      { return a.State }
func (a *authRequest) GetSubject() string                    { return a.UserID }
func (a *authRequest) Done() bool                            { return a.done }

// LogValue keeps state, nonce and the challenge out of the OP library's logs.
func (a *authRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", a.ID), slog.String("client_id", a.ClientID),
		slog.String("redirect_uri", a.RedirectURI))
}

// refreshRequest is a refresh-token grant (op.RefreshTokenRequest).
type refreshRequest struct{ rec *refreshRecord }

func (r *refreshRequest) GetAMR() []string                 { return r.rec.AMR }
func (r *refreshRequest) GetAudience() []string            { return r.rec.Audience }
func (r *refreshRequest) GetAuthTime() time.Time           { return r.rec.AuthTime }
func (r *refreshRequest) GetClientID() string              { return r.rec.ClientID }
func (r *refreshRequest) GetScopes() []string              { return r.rec.Scopes }
func (r *refreshRequest) GetSubject() string               { return r.rec.UserID }
func (r *refreshRequest) SetCurrentScopes(scopes []string) { r.rec.Scopes = scopes }

// client is the public native client (op.Client): no secret, PKCE, loopback redirects on any
// port (RFC 8252 section 7.3), JWT access tokens.
type client struct {
	id          string
	idTokenTTL  time.Duration
	permissions []string // every API scope some demo user holds
}

func (c *client) GetID() string { return c.id }

// RedirectURIs registers the loopback callback; zitadel's op accepts it on any port for a
// native client.
func (c *client) RedirectURIs() []string {
	return []string{"http://127.0.0.1/callback", "http://localhost/callback"}
}
func (c *client) PostLogoutRedirectURIs() []string {
	return []string{"http://127.0.0.1/", "http://127.0.0.1/signed-out"}
}
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeNative }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodNone }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeDeviceCode}
}
func (c *client) LoginURL(id string) string            { return "/login?authRequestID=" + id }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration       { return c.idTokenTTL }
func (c *client) DevMode() bool                        { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) IsScopeAllowed(scope string) bool {
	for _, p := range c.permissions {
		if p == scope {
			return true
		}
	}
	return false
}
