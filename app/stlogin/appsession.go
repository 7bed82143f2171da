package stlogin

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/desklit/desklit/app/session"
)

// The app's own questions, asked by desklit_auth.stlogin from the app's Streamlit process (never
// a browser: no Origin header) with the per-launch client secret as its bearer token:
//
//   - GET /session: who Desklit's session is now (404 signed out): the claims of the broker's ID
//     token, that ID token and the current access token. A page whose cookie names the broker's
//     user may have signed out in Desklit since, or the token been refreshed; and a page opened
//     with the launch secret (Desklit's window, `desklit run`'s address) shows Desklit's session
//     as it is, without a cookie (a cross-site frame keeps none).
//   - POST /session/login: Desklit's sign-in (or the one under way), answered when it ends; what
//     st.login() does on such a page, instead of a redirect the frame cannot follow.
//   - POST /session/logout: Desklit's sign-out; what st.logout() does on such a page.

// appAuthorized checks the bearer token and that no browser asks.
func (b *Broker) appAuthorized(w http.ResponseWriter, r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	if r.Header.Get("Origin") != "" || !strings.HasPrefix(auth, "Bearer ") ||
		subtle.ConstantTimeCompare([]byte(strings.TrimPrefix(auth, "Bearer ")), []byte(b.secret)) != 1 {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "the app's client secret is required")
		return false
	}
	return true
}

func (b *Broker) session(w http.ResponseWriter, r *http.Request) {
	if !b.appAuthorized(w, r) {
		return
	}
	var cur *session.Session
	if s, err := b.sessions(); err == nil {
		cur = s.Current()
	}
	b.writeSession(w, cur)
}

func (b *Broker) writeSession(w http.ResponseWriter, cur *session.Session) {
	if cur == nil {
		oauthError(w, http.StatusNotFound, "signed_out", "Desklit is not signed in")
		return
	}
	claims := b.claims(cur, "")
	idt, err := b.sign(claims)
	if err != nil {
		b.log.Error("st.login: sign the ID token", "err", err)
		oauthError(w, http.StatusInternalServerError, "server_error", "the ID token could not be signed")
		return
	}
	resp := map[string]any{"sub": cur.User.Sub, "claims": claims, "id_token": idt, "access_token": cur.AccessToken}
	if !cur.Expiry.IsZero() {
		resp["expires_at"] = cur.Expiry.Unix()
	}
	writeJSON(w, http.StatusOK, resp)
}

func (b *Broker) sessionLogin(w http.ResponseWriter, r *http.Request) {
	if !b.appAuthorized(w, r) {
		return
	}
	s, err := b.sessions()
	if err != nil {
		oauthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", errStarting.Error())
		return
	}
	if s.Current() == nil {
		if err := b.signIn(r.Context(), s); err != nil {
			b.log.Info("st.login: Desklit's sign-in did not complete", "err", err)
			oauthError(w, http.StatusForbidden, "access_denied", b.signInFailed(err))
			return
		}
	}
	b.writeSession(w, s.Current())
}

func (b *Broker) sessionLogout(w http.ResponseWriter, r *http.Request) {
	if !b.appAuthorized(w, r) {
		return
	}
	if s, err := b.sessions(); err == nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 20*time.Second)
		defer cancel()
		if err := s.Logout(ctx); err != nil {
			b.log.Warn("st.logout: Desklit's sign-out", "err", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
