package authflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/desklit/desklit/app/issuer"
)

// begin starts a sign-in: it waits for any other sign-in of f to end, then reads the provider's
// discovery; release ends the sign-in.
func (f *Flow) begin(ctx context.Context) (p *oidc.Provider, meta issuer.Document, release func(), err error) {
	select {
	case f.busy <- struct{}{}:
	case <-ctx.Done():
		return nil, meta, nil, fmt.Errorf("waiting for another sign-in: %w", ctx.Err())
	}
	if p, meta, err = f.discover(ctx); err != nil {
		<-f.busy
		return nil, meta, nil, err
	}
	return p, meta, func() { <-f.busy }, nil
}

// discover fetches the discovery document once; a failure is retried on the next call. The
// document's issuer replaces the configured one when only a trailing slash differs (app/issuer):
// it is what the provider's tokens and RFC 9207 responses carry.
func (f *Flow) discover(ctx context.Context) (*oidc.Provider, issuer.Document, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.provider != nil {
		return f.provider, f.meta, nil
	}
	if f.cfg.Issuer == "" || f.cfg.ClientID == "" {
		return nil, issuer.Document{}, errors.New("sign-in is not configured: issuer and client id are required")
	}
	doc, err := issuer.Discover(ctx, f.cfg.HTTPClient, f.cfg.Issuer)
	var mismatch *issuer.MismatchError
	if err != nil && !errors.As(err, &mismatch) {
		return nil, issuer.Document{}, fmt.Errorf("discover the provider %s: %w", f.cfg.Issuer, &DiscoveryError{Issuer: f.cfg.Issuer, Err: err})
	}
	if err != nil {
		return nil, issuer.Document{}, fmt.Errorf("discover the provider %s: %w", f.cfg.Issuer, err)
	}
	if doc.AuthorizationEndpoint == "" || doc.TokenEndpoint == "" || doc.JWKSURI == "" {
		return nil, issuer.Document{}, fmt.Errorf("discover the provider %s: %w", f.cfg.Issuer, &DiscoveryError{Issuer: f.cfg.Issuer, Err: errIncompleteDiscovery})
	}
	f.cfg.Issuer = doc.Issuer
	pc := oidc.ProviderConfig{
		IssuerURL: doc.Issuer, AuthURL: doc.AuthorizationEndpoint, TokenURL: doc.TokenEndpoint,
		DeviceAuthURL: doc.DeviceEndpoint, UserInfoURL: doc.UserinfoEndpoint, JWKSURL: doc.JWKSURI,
		Algorithms: doc.IDTokenAlgorithms,
	}
	f.provider, f.meta = pc.NewProvider(f.clientCtx(ctx)), *doc
	return f.provider, f.meta, nil
}
