package devidp

import (
	"context"
	"html/template"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// loginPage is the dev IdP's sign-in page: the demo users to pick from and a password field.
type loginPage struct {
	storage  *storage
	callback func(context.Context, string) string
	issuer   string
	// deny answers the client with error=access_denied (the Cancel button).
	deny func(w http.ResponseWriter, r *http.Request, ar op.AuthRequest)
}

type loginData struct {
	ID       string
	Users    []User
	Selected string
	Error    string
	Issuer   string
}

func (l *loginPage) show(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	if _, err := l.storage.AuthRequestByID(r.Context(), id); err != nil {
		renderMessage(w, http.StatusBadRequest, "Sign-in expired",
			"This sign-in request is unknown or has expired. Start the sign-in again from Desklit.")
		return
	}
	l.render(w, http.StatusOK, loginData{ID: id, Selected: l.storage.users[0].Username})
}

func (l *loginPage) submit(w http.ResponseWriter, r *http.Request) {
	if !readForm(w, r) {
		return
	}
	id, user := r.PostForm.Get("id"), r.PostForm.Get("username")
	if r.PostForm.Get("action") == "cancel" {
		ar, err := l.storage.AuthRequestByID(r.Context(), id)
		if err != nil {
			renderMessage(w, http.StatusBadRequest, "Sign-in expired", "This sign-in request is unknown or has expired.")
			return
		}
		l.storage.log.Info("dev IdP sign-in cancelled by the user")
		_ = l.storage.DeleteAuthRequest(r.Context(), id)
		l.deny(w, r, ar)
		return
	}
	if err := l.storage.authenticate(id, user, r.PostForm.Get("password")); err != nil {
		l.storage.log.Info("dev IdP sign-in refused", "username", user, "reason", err.Error())
		l.render(w, http.StatusUnauthorized, loginData{ID: id, Selected: user, Error: refusalText(err)})
		return
	}
	l.storage.log.Info("dev IdP sign-in", "username", user)
	http.Redirect(w, r, l.callback(r.Context(), id), http.StatusFound)
}

func (l *loginPage) render(w http.ResponseWriter, status int, d loginData) {
	d.Users = l.storage.users
	d.Issuer = l.issuer
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = loginTmpl.Execute(w, d)
}

func initial(name string) string {
	for _, r := range name {
		return string(r)
	}
	return "?"
}

func signedOut(w http.ResponseWriter, _ *http.Request) {
	renderMessage(w, http.StatusOK, "Signed out", "You are signed out of the Desklit demo provider. You can close this window.")
}

// readForm reads a page's form (16 KiB at most); false when it cannot, with the answer given.
func readForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		renderMessage(w, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return false
	}
	return true
}

func renderMessage(w http.ResponseWriter, status int, title, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = messageTmpl.Execute(w, struct{ Title, Message string }{title, msg})
}

const pageStyle = `<style>
:root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--fg:#1d2330;--muted:#667085;--accent:#4f46e5;--line:#e4e7ec;--err:#b42318}
@media (prefers-color-scheme:dark){:root{--bg:#12141a;--card:#1b1e27;--fg:#e6e8ee;--muted:#98a2b3;--line:#2b3040;--accent:#818cf8;--err:#f97066}}
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.card{width:min(420px,92vw);background:var(--card);border:1px solid var(--line);border-radius:14px;padding:28px;box-shadow:0 8px 30px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 4px}.muted{color:var(--muted);font-size:13px;margin:0 0 18px}
.user{display:flex;gap:12px;align-items:center;border:1px solid var(--line);border-radius:10px;padding:10px 12px;margin:0 0 8px;cursor:pointer}
.user:has(input:checked){border-color:var(--accent);box-shadow:0 0 0 1px var(--accent)}
.avatar{width:34px;height:34px;border-radius:50%;background:var(--accent);color:#fff;display:grid;place-items:center;font-weight:600}
.user small{display:block;color:var(--muted)}.user input{margin-left:auto}
label.pw{display:block;margin:14px 0 6px;font-weight:500}
input[type=password]{width:100%;padding:10px 12px;border:1px solid var(--line);border-radius:8px;background:transparent;color:var(--fg);font:inherit}
button{width:100%;margin-top:16px;padding:11px;border:0;border-radius:8px;background:var(--accent);color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{margin-top:8px;background:transparent;color:var(--muted);border:1px solid var(--line)}
.err{color:var(--err);margin:0 0 12px}.scope{font-size:12px;color:var(--muted)}
</style>`

var loginTmpl = template.Must(template.New("login").Funcs(template.FuncMap{"initial": initial}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in · Desklit demo</title>` + pageStyle + `</head>
<body><main class="card">
<h1>Sign in to Desklit</h1>
<p class="muted">Offline demo provider at {{.Issuer}}. Pick a demo user; the default password is <code>desklit</code>.</p>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
{{range .Users}}<label class="user"><span class="avatar">{{initial .Name}}</span>
<span>{{.Name}}<small>{{.Email}} · {{.Username}}</small>
<span class="scope">{{if .Permissions}}{{range .Permissions}}{{.}} {{end}}{{else}}no API permissions{{end}}</span></span>
<input type="radio" name="username" value="{{.Username}}" {{if eq .Username $.Selected}}checked{{end}}></label>
{{end}}
<label class="pw" for="password">Password</label>
<input id="password" type="password" name="password" autocomplete="current-password" autofocus required>
<button type="submit" name="action" value="signin">Sign in</button>
<button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Cancel</button>
</form></main></body></html>`))

var messageTmpl = template.Must(template.New("msg").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} · Desklit demo</title>` + pageStyle + `</head>
<body><main class="card"><h1>{{.Title}}</h1><p class="muted">{{.Message}}</p></main></body></html>`))
