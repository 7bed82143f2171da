package api

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/desklit/desklit/app/issuer"
)

// Errors the key cache hands to the validator; they decide the HTTP status.
var (
	// errKeysUnavailable: discovery or the JWKS could not be fetched and no keys are cached.
	errKeysUnavailable = errors.New("signing keys unavailable")
	// errUnknownKID: the keys are known, but none has the token's kid (after any allowed refresh).
	errUnknownKID = errors.New("no signing key with the token's kid")
)

const (
	maxDocumentBytes = 1 << 20          // discovery document or JWKS
	fetchTimeout     = 10 * time.Second // one discovery + JWKS round
	minRetryBackoff  = 500 * time.Millisecond
	maxRetryBackoff  = 30 * time.Second
)

// verificationKey is one usable public key of the issuer.
type verificationKey struct {
	key crypto.PublicKey
	alg string // the JWK's "alg", empty when the issuer did not pin one
}

// keyCache discovers the issuer lazily and caches its JWKS. It refreshes the set in the
// background once it is older than ttl, and synchronously when a token names an unknown kid,
// at most once per unknownKIDWindow. Only one fetch runs at a time; concurrent callers share it.
type keyCache struct {
	issuer           string
	client           *http.Client
	now              func() time.Time
	ttl              time.Duration
	unknownKIDWindow time.Duration
	log              *slog.Logger

	mu            sync.Mutex
	jwksURI       string // from discovery, kept once known
	name          string // the issuer as discovery spells it: what "iss" must be, exactly
	keys          map[string]verificationKey
	gen           uint64        // counts successful fetches; a new key set is a new generation
	fetchedAt     time.Time     // last successful fetch
	lastErr       error         // last failed fetch, cleared on success
	retryAt       time.Time     // no new fetch before this after a failure (backoff)
	backoff       time.Duration // current failure backoff
	lastKIDLookup time.Time     // last fetch triggered by an unknown kid
	inflight      chan struct{} // closed when the running fetch ends; nil when idle
}

func newKeyCache(iss string, client *http.Client, now func() time.Time, ttl, window time.Duration, log *slog.Logger) *keyCache {
	return &keyCache{
		issuer:           iss,
		client:           client,
		now:              now,
		ttl:              ttl,
		unknownKIDWindow: window,
		log:              log,
	}
}

// issuerName is the issuer as its discovery document spells it, empty before discovery.
func (c *keyCache) issuerName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.name
}

// ready reports whether a key set is cached (used by /healthz).
func (c *keyCache) ready() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.keys != nil
}

// generation identifies the cached key set; it also starts a background refresh when the set
// is older than the TTL, since tokens verified earlier skip lookup.
func (c *keyCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys != nil && c.inflight == nil {
		if now := c.now(); now.Sub(c.fetchedAt) >= c.ttl && !now.Before(c.retryAt) {
			c.startFetchLocked()
		}
	}
	return c.gen
}

// lookup returns the key for kid, fetching the key set when none is cached yet, when it is
// stale (in the background), or when kid is unknown (rate limited).
func (c *keyCache) lookup(ctx context.Context, kid string) (verificationKey, error) {
	c.mu.Lock()
	now := c.now()
	if c.keys == nil {
		// Never fetched successfully: fetch now unless we are backing off after a failure.
		done := c.inflight
		if done == nil {
			if now.Before(c.retryAt) {
				err := c.lastErr
				c.mu.Unlock()
				return verificationKey{}, fmt.Errorf("%w: %w", errKeysUnavailable, err)
			}
			done = c.startFetchLocked()
		}
		c.mu.Unlock()
		if err := wait(ctx, done); err != nil {
			return verificationKey{}, fmt.Errorf("%w: %w", errKeysUnavailable, err)
		}
		c.mu.Lock()
		if c.keys == nil {
			err := c.lastErr
			c.mu.Unlock()
			return verificationKey{}, fmt.Errorf("%w: %w", errKeysUnavailable, err)
		}
		now = c.now()
	}

	if c.inflight == nil && now.Sub(c.fetchedAt) >= c.ttl && !now.Before(c.retryAt) {
		c.startFetchLocked() // stale: refresh in the background, serve the cached keys meanwhile
	}
	if k, ok := c.keys[kid]; ok {
		c.mu.Unlock()
		return k, nil
	}

	// Unknown kid: maybe the issuer rotated its keys. Join a running fetch, or start one if the
	// window allows; a flood of made-up kids thus costs at most one fetch per window.
	done := c.inflight
	if done == nil {
		if !c.lastKIDLookup.IsZero() && now.Sub(c.lastKIDLookup) < c.unknownKIDWindow {
			c.mu.Unlock()
			return verificationKey{}, errUnknownKID
		}
		c.lastKIDLookup = now
		done = c.startFetchLocked()
	}
	c.mu.Unlock()
	if err := wait(ctx, done); err != nil {
		return verificationKey{}, errUnknownKID
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.keys[kid]; ok {
		return k, nil
	}
	return verificationKey{}, errUnknownKID
}

// warm fetches the key set until it succeeds or ctx ends, so that the first request does not
// wait for discovery. It backs off between attempts.
func (c *keyCache) warm(ctx context.Context) {
	delay := minRetryBackoff
	for {
		c.mu.Lock()
		if c.keys != nil {
			c.mu.Unlock()
			return
		}
		done := c.inflight
		if done == nil {
			done = c.startFetchLocked()
		}
		c.mu.Unlock()
		if wait(ctx, done) != nil {
			return
		}
		if c.ready() {
			return
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(2*delay, maxRetryBackoff)
	}
}

func wait(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startFetchLocked starts one discovery + JWKS fetch; c.mu must be held. The fetch has its own
// timeout and does not depend on the request that triggered it, since others may wait on it.
func (c *keyCache) startFetchLocked() chan struct{} {
	done := make(chan struct{})
	c.inflight = done
	jwksURI := c.jwksURI
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		uri, name, keys, err := c.fetch(ctx, jwksURI)

		c.mu.Lock()
		now := c.now()
		if err != nil {
			c.lastErr = err
			c.backoff = min(max(2*c.backoff, minRetryBackoff), maxRetryBackoff)
			c.retryAt = now.Add(c.backoff)
			c.log.Warn("issuer keys unavailable", "issuer", c.issuer, "err", err, "retry_in", c.backoff)
		} else {
			c.jwksURI, c.keys, c.fetchedAt = uri, keys, now
			if name != "" {
				c.name = name
			}
			c.gen++
			c.lastErr, c.backoff, c.retryAt = nil, 0, time.Time{}
			c.log.Info("issuer keys fetched", "issuer", c.issuer, "keys", len(keys))
		}
		c.inflight = nil
		c.mu.Unlock()
		close(done)
	}()
	return done
}

// fetch discovers the issuer (unless jwksURI is already known) and fetches its key set.
// The issuer's name is the document's (app/issuer: it may differ from the configured one by a
// trailing slash); it is empty when jwksURI was already known.
func (c *keyCache) fetch(ctx context.Context, jwksURI string) (string, string, map[string]verificationKey, error) {
	issuerName := ""
	if jwksURI == "" {
		doc, err := issuer.Discover(ctx, c.client, c.issuer)
		if err != nil {
			return "", "", nil, fmt.Errorf("discovery: %w", err)
		}
		if err := checkFetchURL(doc.JWKSURI); err != nil {
			return "", "", nil, fmt.Errorf("discovery: jwks_uri: %w", err)
		}
		jwksURI, issuerName = doc.JWKSURI, doc.Issuer
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := c.getJSON(ctx, jwksURI, &set); err != nil {
		return "", "", nil, fmt.Errorf("jwks: %w", err)
	}
	keys := parseKeySet(set.Keys)
	if len(keys) == 0 {
		return "", "", nil, errors.New("jwks: no usable signing key")
	}
	return jwksURI, issuerName, keys, nil
}

func (c *keyCache) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDocumentBytes))
		return fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if len(body) > maxDocumentBytes {
		return fmt.Errorf("GET %s: document larger than %d bytes", u, maxDocumentBytes)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}

// checkFetchURL accepts https URLs, and http only on loopback (the embedded dev IdP).
func checkFetchURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("not an absolute URL: %q", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" {
			return nil
		}
		return fmt.Errorf("http:// only on loopback: %q", raw)
	default:
		return fmt.Errorf("unsupported scheme: %q", raw)
	}
}

// privateMembers are JWK members that carry secret material; a key that has one is skipped.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "k", "oth", "priv"}

// parseKeySet keeps the set's asymmetric public signing keys and skips anything else, as RFC 7517
// §5 asks (unknown key types, encryption keys, keys without kid, private or symmetric keys).
func parseKeySet(raws []json.RawMessage) map[string]verificationKey {
	keys := make(map[string]verificationKey, len(raws))
	for _, raw := range raws {
		var members map[string]json.RawMessage
		if json.Unmarshal(raw, &members) != nil {
			continue
		}
		if hasAny(members, privateMembers) {
			continue
		}
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(raw); err != nil || !jwk.Valid() || !jwk.IsPublic() {
			continue
		}
		if jwk.KeyID == "" || (jwk.Use != "" && jwk.Use != "sig") {
			continue
		}
		if _, dup := keys[jwk.KeyID]; dup {
			continue // first one wins; a set should not repeat a kid
		}
		switch k := jwk.Key.(type) {
		case *rsa.PublicKey:
			if k.N.BitLen() < 2048 {
				continue
			}
		case *ecdsa.PublicKey, ed25519.PublicKey:
		default:
			continue
		}
		keys[jwk.KeyID] = verificationKey{key: jwk.Key, alg: jwk.Algorithm}
	}
	return keys
}

func hasAny(m map[string]json.RawMessage, names []string) bool {
	for _, n := range names {
		if _, ok := m[n]; ok {
			return true
		}
	}
	return false
}

// keyFits reports whether key can verify a signature made with alg (e.g. no RSA key for ES256,
// no P-256 key for ES384), and that the JWK's own "alg", when present, is alg.
func keyFits(k verificationKey, alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch key := k.key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		switch alg {
		case "ES256":
			return key.Curve == elliptic.P256()
		case "ES384":
			return key.Curve == elliptic.P384()
		case "ES512":
			return key.Curve == elliptic.P521()
		}
		return false
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}
