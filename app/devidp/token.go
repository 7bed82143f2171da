package devidp

import (
	"context"
	"net/http"

	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// tokenEndpoint answers the authorization-code, refresh-token and device-code grants itself, from zitadel's
// exported steps, and hands every other request to the provider (which refuses the other
// grants). The one difference from zitadel's own handler is the ID token's audience: zitadel
// takes it from the same request audience as the access token's, which holds the API, so an ID
// token would pass the API's audience check. Here the ID token names only the client (OIDC Core
// section 2: aud contains the client_id), and the access token keeps the API.
func tokenEndpoint(p *op.Provider, st *storage) http.Handler {
	return op.NewIssuerInterceptor(p.IssuerFromRequest).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.FormValue("grant_type") {
		case string(oidc.GrantTypeCode):
			codeExchange(w, r, p)
		case string(oidc.GrantTypeRefreshToken):
			refreshExchange(w, r, p)
		case string(oidc.GrantTypeDeviceCode):
			deviceExchange(w, r, p, st)
		default:
			p.ServeHTTP(w, r)
		}
	}))
}

// codeExchange is op.CodeExchange with tokenResponse.
func codeExchange(w http.ResponseWriter, r *http.Request, p *op.Provider) {
	req, err := op.ParseAccessTokenRequest(r, p.Decoder())
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	if req.Code == "" {
		op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("code missing"), nil)
		return
	}
	authReq, client, err := op.ValidateAccessTokenRequest(r.Context(), req, p)
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	resp, err := tokenResponse(r.Context(), authReq, client, p, req.Code, "")
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	writeTokens(w, resp)
}

// refreshExchange is op.RefreshTokenExchange with tokenResponse.
func refreshExchange(w http.ResponseWriter, r *http.Request, p *op.Provider) {
	req, err := op.ParseRefreshTokenRequest(r, p.Decoder())
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	refreshReq, client, err := op.ValidateRefreshTokenRequest(r.Context(), req, p)
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	resp, err := tokenResponse(r.Context(), refreshReq, client, p, "", req.RefreshToken)
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	writeTokens(w, resp)
}

// tokenResponse is op.CreateTokenResponse for the code and refresh grants, with the ID token
// built from clientAudience(request).
func tokenResponse(ctx context.Context, req op.IDTokenRequest, client op.Client, p *op.Provider, code, refreshToken string) (*oidc.AccessTokenResponse, error) {
	access, refresh, validity, err := op.CreateAccessToken(ctx, req, client.AccessTokenType(), p, client, refreshToken)
	if err != nil {
		return nil, err
	}
	idToken, err := op.CreateIDToken(ctx, op.IssuerFromContext(ctx), clientAudience(req), client.IDTokenLifetime(), access, code, p.Storage(), client)
	if err != nil {
		return nil, err
	}
	if ar, ok := req.(op.AuthRequest); ok {
		if err := p.Storage().DeleteAuthRequest(ctx, ar.GetID()); err != nil {
			return nil, err
		}
	}
	return &oidc.AccessTokenResponse{
		AccessToken:  access,
		IDToken:      idToken,
		RefreshToken: refresh,
		TokenType:    oidc.BearerToken,
		ExpiresIn:    uint64(validity.Seconds()),
		Scope:        req.GetScopes(),
	}, nil
}

// writeTokens answers with the tokens; never cached (RFC 6749 section 5.1).
func writeTokens(w http.ResponseWriter, resp *oidc.AccessTokenResponse) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	httphelper.MarshalJSON(w, resp)
}

// clientAudience presents req to op.CreateIDToken with the client as the only audience. An auth
// request stays an op.AuthRequest, so that the ID token still carries its nonce.
func clientAudience(req op.IDTokenRequest) op.IDTokenRequest {
	if ar, ok := req.(op.AuthRequest); ok {
		return idTokenAuthRequest{ar}
	}
	return idTokenRequest{req}
}

type idTokenAuthRequest struct{ op.AuthRequest }

func (r idTokenAuthRequest) GetAudience() []string { return []string{r.GetClientID()} }

type idTokenRequest struct{ op.IDTokenRequest }

func (r idTokenRequest) GetAudience() []string { return []string{r.GetClientID()} }
