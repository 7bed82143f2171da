package stlogin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/desklit/desklit/app/session"
)

// idTokenLifetime is the broker's ID tokens' exp: Streamlit checks it once, at the callback.
const idTokenLifetime = 10 * time.Minute

// token redeems a code for the broker's ID token and the session's access token. Only a client
// that is not a browser may ask (no Origin header), with the client secret, the code's redirect
// URI and the PKCE verifier of its challenge.
func (b *Broker) token(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") != "" {
		oauthError(w, http.StatusForbidden, "invalid_request", "the token endpoint does not answer browsers")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the request is not a form")
		return
	}
	if !b.clientAuthenticated(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="desklit"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}
	g, ok := b.redeem(r.PostForm.Get("code"))
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	switch {
	case !ok:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the code's")
		return
	case subtle.ConstantTimeCompare([]byte(challenge), []byte(g.challenge)) != 1:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
		return
	}
	s, err := b.sessions()
	var cur *session.Session
	if err == nil {
		cur = s.Current()
	}
	if cur == nil || cur.User.Sub != g.sub {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "Desklit's session ended after the code was issued")
		return
	}
	idt, err := b.idToken(cur, g.nonce)
	if err != nil {
		b.log.Error("st.login: sign the ID token", "err", err)
		oauthError(w, http.StatusInternalServerError, "server_error", "the ID token could not be signed")
		return
	}
	resp := map[string]any{"access_token": cur.AccessToken, "token_type": "Bearer", "id_token": idt, "scope": "openid profile email"}
	if !cur.Expiry.IsZero() {
		resp["expires_in"] = max(0, int(time.Until(cur.Expiry).Seconds()))
	}
	writeJSON(w, http.StatusOK, resp)
}

// clientAuthenticated checks the client id and secret, HTTP Basic (client_secret_basic) or in
// the form (client_secret_post).
func (b *Broker) clientAuthenticated(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	return id == ClientID && subtle.ConstantTimeCompare([]byte(secret), []byte(b.secret)) == 1
}

// reserved are the claims of the issuer's ID token that belong to that token, not to the user:
// the broker's ID token sets its own.
var reserved = map[string]bool{"iss": true, "aud": true, "exp": true, "iat": true, "nbf": true,
	"nonce": true, "at_hash": true, "c_hash": true, "azp": true, "jti": true, "sid": true,
	"auth_time": true, "acr": true, "amr": true}

// idToken is the broker's ID token for the session, for Streamlit's callback.
func (b *Broker) idToken(s *session.Session, nonce string) (string, error) {
	return b.sign(b.claims(s, nonce))
}

// claims are the broker's ID token's for the session: the profile claims of the issuer's ID
// token (name, email, …; already verified at sign-in), under the broker's issuer, for Streamlit.
func (b *Broker) claims(s *session.Session, nonce string) map[string]any {
	claims := profileClaims(s.IDToken)
	now := time.Now()
	claims["iss"], claims["aud"], claims["sub"] = b.Issuer(), ClientID, s.User.Sub
	claims["iat"], claims["exp"] = now.Unix(), now.Add(idTokenLifetime).Unix()
	if nonce != "" {
		claims["nonce"] = nonce
	}
	for k, v := range map[string]string{"name": s.User.Name, "email": s.User.Email, "picture": s.User.Picture} {
		if _, set := claims[k]; !set && v != "" {
			claims[k] = v
		}
	}
	return claims
}

// sign makes an RS256 JWT of claims with the per-launch key.
func (b *Broker) sign(claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256,
		Key: jose.JSONWebKey{Key: b.key, KeyID: b.keyID}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// profileClaims reads the payload of the issuer's ID token, minus the token's own claims. A
// token that cannot be read gives none (the session's User still names the user).
func profileClaims(idToken string) map[string]any {
	claims := map[string]any{}
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return claims
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(raw, &claims) != nil {
		return map[string]any{}
	}
	for k := range claims {
		if reserved[k] {
			delete(claims, k)
		}
	}
	return claims
}

// ownIDToken reports whether t is an ID token the broker signed (expired or not).
func (b *Broker) ownIDToken(t string) bool {
	obj, err := jose.ParseSigned(t, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return false
	}
	payload, err := obj.Verify(&b.key.PublicKey)
	if err != nil {
		return false
	}
	var c struct {
		Iss string `json:"iss"`
		Aud string `json:"aud"`
	}
	return json.Unmarshal(payload, &c) == nil && c.Iss == b.Issuer() && c.Aud == ClientID
}

// logout is the end-session endpoint st.logout() leads to: with an ID token the broker signed as
// its hint, it signs out of Desklit (revocation, end-session, keyring cleared); without one (a
// page that is not the app's), it only goes back. It redirects only to Streamlit's callback.
func (b *Broker) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back := q.Get("post_logout_redirect_uri")
	if back != b.RedirectURI() || (q.Has("client_id") && q.Get("client_id") != ClientID) || crossSite(r) {
		errorPage(w, http.StatusBadRequest, "This sign-out request is not from the app Desklit runs.")
		return
	}
	if b.ownIDToken(q.Get("id_token_hint")) {
		if s, err := b.sessions(); err == nil {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 20*time.Second)
			if err := s.Logout(ctx); err != nil {
				b.log.Warn("st.logout: Desklit's sign-out", "err", err)
			}
			cancel()
		}
	} else {
		b.log.Info("st.logout without the app's ID token: Desklit stays signed in")
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, back, http.StatusFound)
}
