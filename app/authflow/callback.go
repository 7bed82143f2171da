package authflow

import (
	"crypto/subtle"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/desklit/desklit/app/httpguard"
	"github.com/desklit/desklit/app/session"
)

// callback is the one redirect the loopback listener accepts: the first request that carries
// this sign-in's state. The flow answers on reply, and the handler renders the completion page
// from that answer.
type callback struct {
	query url.Values
	reply chan<- outcome
}

type outcome struct {
	session *session.Session
	err     error
}

type callbackServer struct {
	http.Handler
	state   string
	results chan callback
	used    atomic.Bool
}

func newCallbackServer(port int, state string) *callbackServer {
	c := &callbackServer{state: state, results: make(chan callback)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /callback", c.handle)
	c.Handler = httpguard.HostCheck(port, mux)
	return c
}

// handle turns away a request without this sign-in's state before it can count as the
// callback: any local process or web page can reach the loopback port, and must not be able to
// end (or answer) the sign-in in progress. An error redirect with the right state still ends it.
func (c *callbackServer) handle(w http.ResponseWriter, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("state")), []byte(c.state)) != 1 {
		page(w, http.StatusBadRequest, "Not this sign-in",
			"This address does not belong to the sign-in in progress; it was ignored. Finish signing in on the sign-in page.", true)
		return
	}
	if !c.used.CompareAndSwap(false, true) {
		page(w, http.StatusConflict, "Sign-in already handled",
			"This sign-in has already been completed. Return to Desklit.", false)
		return
	}
	reply := make(chan outcome, 1)
	select {
	case c.results <- callback{query: r.URL.Query(), reply: reply}:
	case <-r.Context().Done():
		return
	}
	select {
	case o := <-reply:
		if o.err != nil {
			why, ok := Message(o.err) // our sentence; Go's text is in Desklit's log
			if !ok {
				why = "see Desklit's log for the reason"
			}
			msg := "Sign-in did not complete: " + why + "."
			var pe *ProviderError
			if errors.As(o.err, &pe) && pe.Code == "access_denied" {
				msg = "Access was denied: " + pe.Description
			}
			page(w, http.StatusBadRequest, "Sign-in failed", msg+" You can close this window and try again from Desklit.", true)
			return
		}
		who := o.session.User.Name
		if who == "" {
			who = o.session.User.Email
		}
		if who == "" {
			who = o.session.User.Sub
		}
		page(w, http.StatusOK, "You're signed in", "Signed in to Desklit as "+who+". You can close this window and return to the app.", false)
	case <-r.Context().Done():
	}
}

func page(w http.ResponseWriter, status int, title, msg string, isErr bool) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, struct {
		Title, Message string
		Error          bool
	}{title, msg, isErr})
}

var pageTmpl = template.Must(template.New("done").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} · Desklit</title><style>
:root{color-scheme:light dark}body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f5f7;color:#1d2330;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
@media (prefers-color-scheme:dark){body{background:#12141a;color:#e6e8ee}.card{background:#1b1e27!important;border-color:#2b3040!important}}
.card{max-width:420px;background:#fff;border:1px solid #e4e7ec;border-radius:14px;padding:28px;text-align:center}
.icon{font-size:40px;line-height:1}h1{font-size:20px;margin:10px 0 6px}p{margin:0;color:#667085}
</style></head><body><main class="card"><div class="icon">{{if .Error}}⚠️{{else}}✅{{end}}</div>
<h1>{{.Title}}</h1><p>{{.Message}}</p></main></body></html>`))
