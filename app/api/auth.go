package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxTokenBytes bounds the bearer token; larger ones are refused before any parsing.
const maxTokenBytes = 16 << 10

// asymmetricAlgs are the only algorithms Options.Algorithms may name: never "none", never HS*.
var asymmetricAlgs = map[string]bool{
	"RS256": true, "RS384": true, "RS512": true,
	"PS256": true, "PS384": true, "PS512": true,
	"ES256": true, "ES384": true, "ES512": true,
	"EdDSA": true,
}

// authError is what a client reads when a request is refused: the original design's codes.
type authError struct {
	status      int
	code        string
	description string
}

func (e *authError) Error() string { return e.code + ": " + e.description }

var (
	errHeaderMissing  = &authError{http.StatusUnauthorized, "authorization_header_missing", "Authorization header is expected"}
	errNotBearer      = &authError{http.StatusUnauthorized, "invalid_header", "Authorization header must start with Bearer"}
	errNoToken        = &authError{http.StatusUnauthorized, "invalid_header", "Token not found"}
	errNotOneToken    = &authError{http.StatusUnauthorized, "invalid_header", "Authorization header must be Bearer token"}
	errTokenTooLarge  = &authError{http.StatusUnauthorized, "invalid_header", "Token is too large"}
	errUnparsable     = &authError{http.StatusUnauthorized, "invalid_header", "Unable to parse authentication token"}
	errAlgorithm      = &authError{http.StatusUnauthorized, "invalid_header", "Token signing algorithm is not allowed"}
	errNoKey          = &authError{http.StatusUnauthorized, "invalid_header", "Unable to find appropriate key"}
	errSignature      = &authError{http.StatusUnauthorized, "invalid_header", "Token signature is invalid"}
	errExpired        = &authError{http.StatusUnauthorized, "token_expired", "Token is expired"}
	errClaims         = &authError{http.StatusUnauthorized, "invalid_claims", "Incorrect claims, please check the audience and issuer"}
	errNotAccessToken = &authError{http.StatusUnauthorized, "invalid_claims", "The token is not an access token (an ID token is not accepted)"}
	errUnavailable    = &authError{http.StatusServiceUnavailable, "jwks_unavailable", "The identity provider's signing keys cannot be fetched yet; try again shortly"}
	errScope          = &authError{http.StatusForbidden, "insufficient_scope", "The token lacks the scope read:messages"}
)

// claims are the access token claims the API reads.
type claims struct {
	jwt.RegisteredClaims
	Scope       scopeList `json:"scope,omitempty"`
	SCP         scopeList `json:"scp,omitempty"` // Okta's and Microsoft Entra ID's name for it
	Permissions []string  `json:"permissions,omitempty"`
	Email       string    `json:"email,omitempty"` // when the issuer puts it in access tokens
	// EmailVerified is email_verified: true (or "true", as some issuers write it) when the
	// issuer has verified Email. Only a verified email is handed on (X-Desklit-Email).
	EmailVerified any `json:"email_verified,omitempty"`

	AZP string `json:"azp,omitempty"`

	// Set by UnmarshalJSON from which claims are present, whatever their values.
	grantsScope bool // scope, scp or permissions: every access token in Auth0's (Okta's, Entra's) profile has one
	idTokenOnly bool // at_hash or c_hash: claims of an ID token only (OIDC Core 3.1.3.6, 3.3.2.11)
	hasNonce    bool // an ID token's claim, which Keycloak before 25 also put in access tokens
	// kind is the payload's typ when a string: Keycloak's "Bearer" (access token) or "ID".
	kind string
}

// UnmarshalJSON refuses exp, nbf and iat of any JSON type but number (jwt/v5 alone also takes
// a numeric string, which RFC 7519's NumericDate is not), and notes which claims are present.
func (c *claims) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		if v, ok := raw[name]; ok && !isJSONNumber(v) {
			return fmt.Errorf("%s is not a number", name)
		}
	}
	type plain claims // without this method
	if err := json.Unmarshal(b, (*plain)(c)); err != nil {
		return err
	}
	_, scope := raw["scope"]
	_, scp := raw["scp"]
	_, perms := raw["permissions"]
	c.grantsScope = scope || scp || perms
	for _, name := range []string{"at_hash", "c_hash"} {
		if _, ok := raw[name]; ok {
			c.idTokenOnly = true
		}
	}
	_, c.hasNonce = raw["nonce"]
	if v, ok := raw["typ"]; ok {
		_ = json.Unmarshal(v, &c.kind) // another type leaves kind empty: no sign of an access token
	}
	return nil
}

// isJSONNumber reports whether v is a JSON number (json.Unmarshal has already checked that v is
// valid JSON, and a number is the only value that starts with '-' or a digit).
func isJSONNumber(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && (v[0] == '-' || ('0' <= v[0] && v[0] <= '9'))
}

// accessTokenProfile refuses what is not an access token, above all an ID token, which a
// provider may sign with the same key and, like the dev IdP once did, give the API's audience.
// It takes an RFC 9068 token (typ at+jwt), or a token in Auth0's profile (typ JWT or none, a
// scope, scp or permissions claim: Okta and Microsoft Entra ID write scp); never one with an ID token's at_hash or c_hash. A nonce, which
// Keycloak before 25 (or its "nonce backwards compatible" mapper) also writes into access
// tokens, is taken only from a token that is an access token by every other sign (nonceAllowed).
// azp alone does not tell them apart: Auth0 puts it in both.
func accessTokenProfile(header map[string]any, c *claims) *authError {
	if c.idTokenOnly || (c.hasNonce && !nonceAllowed(c)) {
		return errNotAccessToken
	}
	typ, present := header["typ"]
	if !present {
		typ = "JWT"
	}
	t, ok := typ.(string)
	if !ok {
		return errNotAccessToken
	}
	switch strings.TrimPrefix(strings.ToLower(t), "application/") {
	case "at+jwt":
		return nil
	case "jwt":
		if !c.grantsScope {
			return errNotAccessToken
		}
		return nil
	}
	return errNotAccessToken
}

// nonceAllowed: a token with a nonce is an access token only when Keycloak marks it as one in its
// payload (typ "Bearer"; its ID tokens say "ID"), it carries a scope, and its client (azp) is not
// among its audiences, as an ID token's always is (OpenID Connect Core 2: aud contains the
// client_id). The header's typ and the audience are checked as for any token.
func nonceAllowed(c *claims) bool {
	if c.kind != "Bearer" || !c.grantsScope || c.AZP == "" {
		return false
	}
	for _, aud := range c.Audience {
		if aud == c.AZP {
			return false
		}
	}
	return true
}

// hasScope reports whether scope is granted, either in the space-separated scope claim or in
// Auth0's RBAC permissions array.
func (c *claims) hasScope(scope string) bool {
	for _, s := range append(c.Scope, c.SCP...) {
		if s == scope {
			return true
		}
	}
	for _, p := range c.Permissions {
		if p == scope {
			return true
		}
	}
	return false
}

// granted is every scope the token grants: its scope claim, then the permissions it lacks.
func (c *claims) granted() []string {
	out := append([]string(nil), c.Scope...)
	for _, p := range c.Permissions {
		if !c.hasScopeClaim(p) {
			out = append(out, p)
		}
	}
	return out
}

func (c *claims) hasScopeClaim(s string) bool {
	for _, x := range c.Scope {
		if x == s {
			return true
		}
	}
	return false
}

// scopeList reads the scope claim: a space-separated string (RFC 8693 §4.2) or, as some
// providers send it, an array of strings.
type scopeList []string

func (s *scopeList) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*s = strings.Fields(str)
		return nil
	}
	var arr []string
	if err := json.Unmarshal(b, &arr); err != nil {
		return errors.New("scope is neither a string nor an array of strings")
	}
	*s = arr
	return nil
}

// validator checks access tokens: signature with the issuer's keys, allowed algorithms, exact
// issuer, audience, exp (required), nbf and iat (JSON numbers only), with a small leeway, and
// that the token is an access token (accessTokenProfile).
//
// A token whose signature was verified is remembered (by its SHA-256) together with the key
// set generation it was verified against, so that a client repeating its token costs a hash
// and a claims check instead of an RSA verification. The claims (exp, nbf, iat, iss, aud) are
// checked again on every use; a new key set (rotation, TTL refresh) forgets every entry.
type validator struct {
	parser *jwt.Parser
	claims *jwt.Validator
	keys   *keyCache
	algs   []string // the signing algorithms allowed (checked before any key is looked up)

	mu       sync.Mutex
	gen      uint64 // key set generation the entries were verified against
	verified map[[sha256.Size]byte]*claims
}

// maxVerified bounds the verified-token memory; when full it starts over.
const maxVerified = 4096

func newValidator(o Options, keys *keyCache) *validator {
	// The issuer is checked after these, against the one discovery names (issuedHere).
	claimOpts := []jwt.ParserOption{
		jwt.WithAudience(o.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(o.Leeway),
		jwt.WithTimeFunc(o.Now),
	}
	return &validator{
		parser:   jwt.NewParser(append(claimOpts, jwt.WithStrictDecoding())...),
		claims:   jwt.NewValidator(claimOpts...),
		keys:     keys,
		algs:     o.Algorithms,
		verified: make(map[[sha256.Size]byte]*claims),
	}
}

// bearerToken extracts the token from the Authorization header(s).
func bearerToken(h http.Header) (string, *authError) {
	values := h.Values("Authorization")
	if len(values) == 0 || strings.TrimSpace(values[0]) == "" {
		return "", errHeaderMissing
	}
	if len(values) > 1 {
		return "", errNotOneToken
	}
	parts := strings.Fields(values[0])
	switch {
	case !strings.EqualFold(parts[0], "bearer"):
		return "", errNotBearer
	case len(parts) == 1:
		return "", errNoToken
	case len(parts) > 2:
		return "", errNotOneToken
	case len(parts[1]) > maxTokenBytes:
		return "", errTokenTooLarge
	}
	return parts[1], nil
}

// validate checks the token and returns its claims, or the error the client should read.
func (v *validator) validate(ctx context.Context, token string) (*claims, *authError) {
	sum := sha256.Sum256([]byte(token))
	gen := v.keys.generation()
	v.mu.Lock()
	if v.gen != gen {
		v.gen, v.verified = gen, make(map[[sha256.Size]byte]*claims)
	}
	known := v.verified[sum]
	v.mu.Unlock()
	if known != nil {
		if err := v.claims.Validate(known); err != nil {
			return nil, classify(errors.Join(jwt.ErrTokenInvalidClaims, err))
		}
		if !v.issuedHere(known) {
			return nil, errClaims
		}
		return known, nil
	}

	var c claims
	tok, err := v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if _, ok := t.Header["crit"]; ok {
			return nil, errUnparsable // no extension is understood here (RFC 7515 §4.1.11)
		}
		if !slices.Contains(v.algs, t.Method.Alg()) {
			return nil, errAlgorithm // typed here: golang-jwt says so only in its message's words
		}
		kid, ok := t.Header["kid"].(string)
		if !ok || kid == "" {
			return nil, errNoKey
		}
		k, err := v.keys.lookup(ctx, kid)
		if err != nil {
			return nil, err
		}
		if !keyFits(k, t.Method.Alg()) {
			return nil, errNoKey
		}
		return k.key, nil
	})
	if err != nil {
		return nil, classify(err)
	}
	if !v.issuedHere(&c) {
		return nil, errClaims
	}
	if ae := accessTokenProfile(tok.Header, &c); ae != nil {
		return nil, ae
	}
	v.mu.Lock()
	if v.gen == gen {
		if len(v.verified) >= maxVerified {
			v.verified = make(map[[sha256.Size]byte]*claims)
		}
		v.verified[sum] = &c
	}
	v.mu.Unlock()
	return &c, nil
}

// issuedHere checks "iss" exactly against the issuer as its discovery document spells it, which
// may differ from the configured one by a trailing slash (app/issuer). The token's signature was
// verified with that issuer's keys, so discovery has already answered.
func (v *validator) issuedHere(c *claims) bool {
	name := v.keys.issuerName()
	return name != "" && c.Issuer == name
}

// classify maps a jwt/v5 or key cache error to the client's status and code. The order
// matters: an unreachable issuer is 503 whatever else is wrong, an expired token is
// token_expired even when other claims are wrong too.
func classify(err error) *authError {
	var ae *authError
	switch {
	case errors.Is(err, errKeysUnavailable):
		return errUnavailable
	case errors.Is(err, errUnknownKID):
		return errNoKey
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, jwt.ErrTokenMalformed):
		return errUnparsable
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return errSignature
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return errUnparsable
	case errors.Is(err, jwt.ErrTokenExpired):
		return errExpired
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		return errClaims
	default:
		return errUnparsable
	}
}

// leewayLimit is the most clock skew Options.Leeway may allow.
const leewayLimit = 60 * time.Second
