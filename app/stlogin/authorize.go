package stlogin

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/desklit/desklit/app/randtoken"
)

// grant is what an authorization code stands for until its one redemption.
type grant struct {
	redirectURI string
	challenge   string
	nonce       string
	sub         string
	expires     time.Time
}

// authorize answers Streamlit's redirect: at once with a code when Desklit is signed in, else
// after Desklit's own sign-in. A request that is not Streamlit's (client, redirect URI) gets an
// error page and is never redirected; a malformed one of Streamlit's gets the error at its
// redirect URI, as RFC 6749 §4.1.2.1 says. Desklit's own sign-in that did not complete is a page
// that says why, with a link back to the app.
func (b *Broker) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirectURI := b.RedirectURI()
	if crossSite(r) {
		errorPage(w, http.StatusForbidden, "This sign-in request comes from another site, not from the app Desklit runs.")
		return
	}
	if q.Get("client_id") != ClientID || q.Get("redirect_uri") != redirectURI {
		errorPage(w, http.StatusBadRequest, "This sign-in request is not from the app Desklit runs (unknown client or redirect URI).")
		return
	}
	state := q.Get("state")
	fail := func(code, desc string) {
		b.redirect(w, r, redirectURI, url.Values{"error": {code}, "error_description": {desc}, "state": {state}})
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only the authorization code flow is supported")
		return
	case state == "" || q.Get("nonce") == "":
		fail("invalid_request", "state and nonce are required")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "PKCE with S256 is required")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "the openid scope is required")
		return
	}
	s, err := b.sessions()
	if err != nil {
		fail("temporarily_unavailable", errStarting.Error())
		return
	}
	cur := s.Current()
	if cur == nil {
		if err := b.signIn(r.Context(), s); err != nil {
			if r.Context().Err() != nil {
				return // the browser left; the sign-in goes on
			}
			b.log.Info("st.login: Desklit's sign-in did not complete", "err", err)
			// A page that says why, with the way back, rather than RFC 6749's redirect with
			// access_denied: Streamlit logs that and shows the app signed out, not a word.
			failedPage(w, b.signInFailed(err), appAddress(redirectURI))
			return
		}
		if cur = s.Current(); cur == nil {
			fail("access_denied", "Desklit is not signed in")
			return
		}
	}
	code := randtoken.New(32)
	b.mu.Lock()
	b.dropExpiredCodes()
	b.codes[code] = grant{redirectURI: redirectURI, challenge: q.Get("code_challenge"),
		nonce: q.Get("nonce"), sub: cur.User.Sub, expires: time.Now().Add(codeTTL)}
	b.mu.Unlock()
	b.redirect(w, r, redirectURI, url.Values{"code": {code}, "state": {state}, "iss": {b.Issuer()}})
}

// crossSite reports a navigation that another site started (Fetch Metadata): a page elsewhere
// must not open Desklit's sign-in window, or sign it out. Streamlit's own redirect, from a page on
// 127.0.0.1, is same-site; a browser that sends no such header is let through.
func crossSite(r *http.Request) bool { return r.Header.Get("Sec-Fetch-Site") == "cross-site" }

func (b *Broker) redirect(w http.ResponseWriter, r *http.Request, to string, v url.Values) {
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to+"?"+v.Encode(), http.StatusFound)
}

// dropExpiredCodes forgets codes nobody redeemed in time; b.mu must be held.
func (b *Broker) dropExpiredCodes() {
	now := time.Now()
	for c, g := range b.codes {
		if now.After(g.expires) {
			delete(b.codes, c)
		}
	}
}

// redeem returns the code's grant and forgets it: a code is good once.
func (b *Broker) redeem(code string) (grant, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.codes[code]
	delete(b.codes, code)
	if !ok || time.Now().After(g.expires) {
		return grant{}, false
	}
	return g, true
}

var errorTmpl = template.Must(template.New("e").Parse(`<!doctype html><meta charset="utf-8">
<title>Desklit sign-in</title><body style="font-family:sans-serif;margin:2em"><h1>Desklit sign-in</h1><p>{{.}}</p></body>`))

var failedTmpl = template.Must(template.New("f").Parse(`<!doctype html><meta charset="utf-8">
<title>Desklit sign-in</title><body style="font-family:sans-serif;margin:2em"><h1>Desklit sign-in</h1><p>{{.Msg}}</p>
<p><a href="{{.Back}}">Back to the app</a></p></body>`))

// failedPage says why Desklit's sign-in did not complete, with a link back to the app.
func failedPage(w http.ResponseWriter, msg, back string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	_ = failedTmpl.Execute(w, struct{ Msg, Back string }{msg, back})
}

// appAddress is the app's own address, the origin of its redirect URI
// ("http://127.0.0.1:4010/oauth2callback" → "http://127.0.0.1:4010/").
func appAddress(redirectURI string) string {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return "/"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}).String()
}

func errorPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = errorTmpl.Execute(w, msg)
}
