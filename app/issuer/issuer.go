// Package issuer is the one rule for an issuer's spelling that sign-in (app/authflow), the
// protected API (app/api) and the commands share: the configured issuer may end in a slash or
// not ("https://tenant.auth0.com/", ".../realms/NAME"), discovery is fetched from the configured
// URL without its trailing slash, and the discovery document's "issuer" wins when it differs only
// by that slash: it is what the provider writes in "iss", which every check compares exactly.
// Anything else that differs is refused (OpenID Connect Discovery 1.0 section 4.3).
package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxDocument bounds a discovery document.
const maxDocument = 1 << 20

// Document is the part of a discovery document Desklit reads.
type Document struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	DeviceEndpoint        string   `json:"device_authorization_endpoint"`
	UserinfoEndpoint      string   `json:"userinfo_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	RevocationEndpoint    string   `json:"revocation_endpoint"`
	EndSessionEndpoint    string   `json:"end_session_endpoint"`
	IDTokenAlgorithms     []string `json:"id_token_signing_alg_values_supported"`
	// IssParameter: the provider puts "iss" in every authorization response (RFC 9207).
	IssParameter bool `json:"authorization_response_iss_parameter_supported"`
}

// Same reports whether a and b name the same issuer, but for one trailing slash.
func Same(a, b string) bool {
	return a != "" && strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// DiscoveryURL is the configured issuer's discovery document.
func DiscoveryURL(configured string) string {
	return strings.TrimSuffix(configured, "/") + "/.well-known/openid-configuration"
}

// MismatchError: the discovery document names another issuer than the configured one.
type MismatchError struct{ Configured, Discovered string }

func (e *MismatchError) Error() string {
	return fmt.Sprintf("the discovery document at %s names the issuer %q, not the configured %q",
		DiscoveryURL(e.Configured), e.Discovered, e.Configured)
}

// Discover fetches the configured issuer's discovery document and checks that it names that
// issuer (but for a trailing slash); Document.Issuer is then the issuer's spelling to use.
func Discover(ctx context.Context, client *http.Client, configured string) (*Document, error) {
	if configured == "" {
		return nil, errors.New("no issuer configured")
	}
	if client == nil {
		client = http.DefaultClient
	}
	u := DiscoveryURL(configured)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("GET %s: %w", u, err)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	case len(body) > maxDocument:
		return nil, fmt.Errorf("GET %s: document larger than %d bytes", u, maxDocument)
	}
	var doc Document
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if !Same(doc.Issuer, configured) {
		return nil, &MismatchError{Configured: configured, Discovered: doc.Issuer}
	}
	return &doc, nil
}
