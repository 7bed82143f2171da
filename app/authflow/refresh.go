package authflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/desklit/desklit/app/issuer"
	"github.com/desklit/desklit/app/session"
)

// Refresh trades the session's refresh token for new tokens and returns an updated copy. The
// provider may rotate the refresh token; the copy carries the new one (or the old one when the
// provider did not rotate). A refused refresh token gives ErrInvalidGrant; anything else
// (network, 5xx) is transient.
func (f *Flow) Refresh(ctx context.Context, s *session.Session) (*session.Session, error) {
	if s == nil || s.RefreshToken == "" {
		return nil, ErrNoRefreshToken
	}
	if err := f.Owns(s); err != nil {
		// The configuration changed: never send the token to another provider.
		return nil, fmt.Errorf("%w: %v", ErrInvalidGrant, err)
	}
	p, _, err := f.discover(ctx)
	if err != nil {
		return nil, err
	}
	ts := f.oauthConfig(p, "").TokenSource(f.clientCtx(ctx), &oauth2.Token{RefreshToken: s.RefreshToken})
	tok, err := ts.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			return nil, fmt.Errorf("%w (%s)", ErrInvalidGrant, describe(err))
		}
		return nil, fmt.Errorf("refresh the session: %s", describe(err))
	}
	out := *s
	out.AccessToken = tok.AccessToken
	out.TokenType = tok.TokenType
	out.Expiry = tok.Expiry
	if tok.RefreshToken != "" {
		out.RefreshToken = tok.RefreshToken
	}
	if scope, _ := tok.Extra("scope").(string); scope != "" {
		out.Scope = scope
	}
	if raw, _ := tok.Extra("id_token").(string); raw != "" {
		idt, err := p.Verifier(&oidc.Config{ClientID: f.cfg.ClientID}).Verify(f.clientCtx(ctx), raw)
		if err != nil {
			return nil, fmt.Errorf("%w after refresh: %v", ErrIDToken, err)
		}
		if idt.Subject != s.User.Sub {
			return nil, fmt.Errorf("%w after refresh: it names a different user", ErrIDToken)
		}
		out.IDToken = raw
	}
	f.log.Info("session refreshed", "sub", out.User.Sub, "expiry", out.Expiry, "rotated", tok.RefreshToken != "" && tok.RefreshToken != s.RefreshToken)
	return &out, nil
}

// Logout ends the session at the provider, best effort and back-channel (no browser):
//   - the refresh token is revoked (RFC 7009) where discovery advertises revocation_endpoint;
//   - the provider session is ended by POSTing id_token_hint to end_session_endpoint (OpenID
//     RP-Initiated Logout; POST keeps the ID token out of URLs), which for the dev IdP ends every
//     token of the user. Auth0 keeps its session in a browser cookie that only the browser can
//     clear, so for Auth0 nothing is sent here; EndSessionURL gives the /v2/logout URL to open.
//
// The local session is the caller's to delete first; an error here is worth a warning only.
func (f *Flow) Logout(ctx context.Context, s *session.Session) error {
	if s == nil {
		return nil
	}
	if err := f.Owns(s); err != nil {
		return err
	}
	_, meta, err := f.discover(ctx)
	if err != nil {
		return err
	}
	var errs []error
	if s.RefreshToken != "" && meta.RevocationEndpoint != "" {
		form := url.Values{"token": {s.RefreshToken}, "token_type_hint": {"refresh_token"}, "client_id": {f.cfg.ClientID}}
		if f.cfg.ClientSecret != "" {
			form.Set("client_secret", f.cfg.ClientSecret)
		}
		if err := f.postForm(ctx, meta.RevocationEndpoint, form); err != nil {
			errs = append(errs, fmt.Errorf("revoke the refresh token: %w", err))
		}
	}
	if meta.EndSessionEndpoint != "" && s.IDToken != "" && !f.isAuth0() {
		form := url.Values{"id_token_hint": {s.IDToken}, "client_id": {f.cfg.ClientID}}
		if err := f.postForm(ctx, meta.EndSessionEndpoint, form); err != nil {
			errs = append(errs, fmt.Errorf("end the provider session: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	f.log.Info("signed out at the provider", "sub", s.User.Sub)
	return nil
}

// EndSessionURL is a front-channel logout URL without any token, for the browser or the sign-in
// window to clear the provider's own cookie: Auth0's /v2/logout?client_id=..., else the
// end_session_endpoint with client_id (RP-Initiated Logout allows it in place of id_token_hint).
// Empty when the provider has neither.
func (f *Flow) EndSessionURL(ctx context.Context) (string, error) {
	q := url.Values{"client_id": {f.cfg.ClientID}}.Encode()
	if f.isAuth0() {
		return strings.TrimSuffix(f.issuer(), "/") + "/v2/logout?" + q, nil
	}
	_, meta, err := f.discover(ctx)
	if err != nil || meta.EndSessionEndpoint == "" {
		return "", err
	}
	return meta.EndSessionEndpoint + "?" + q, nil
}

// Owns checks that s was issued to this flow's client by this flow's provider (session.Owner).
func (f *Flow) Owns(s *session.Session) error {
	if !issuer.Same(s.Issuer, f.issuer()) || s.ClientID != f.cfg.ClientID {
		return fmt.Errorf("the session belongs to %s (client %s), not to the configured %s (client %s)",
			s.Issuer, s.ClientID, f.issuer(), f.cfg.ClientID)
	}
	return nil
}

func (f *Flow) isAuth0() bool {
	u, err := url.Parse(f.issuer())
	return err == nil && (strings.HasSuffix(u.Hostname(), ".auth0.com") || u.Hostname() == "auth0.com")
}

// postForm sends a form and accepts any 2xx or 3xx answer (end_session answers with a redirect,
// which is not followed).
func (f *Flow) postForm(ctx context.Context, endpoint string, form url.Values) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hc := *f.cfg.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return ue.Err // url.Error repeats the endpoint; the cause is what matters
		}
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s answered HTTP %s", endpoint, resp.Status)
	}
	return nil
}
