package devidp

import (
	"html/template"
	"net/http"
)

// devicePage is the dev IdP's verification page (RFC 8628 verification_uri): the user types the
// code the device shows (or arrives with it in ?user_code=, the verification_uri_complete), picks
// a demo user, enters the password, and approves or denies the device's sign-in.
type devicePage struct {
	storage *storage
	issuer  string
}

type deviceData struct {
	UserCode string
	Users    []User
	Selected string
	Error    string
	Issuer   string
}

func (d *devicePage) show(w http.ResponseWriter, r *http.Request) {
	d.render(w, http.StatusOK, deviceData{UserCode: r.URL.Query().Get("user_code"), Selected: d.storage.users[0].Username})
}

func (d *devicePage) submit(w http.ResponseWriter, r *http.Request) {
	if !readForm(w, r) {
		return
	}
	code, user := r.PostForm.Get("user_code"), r.PostForm.Get("username")
	approve := r.PostForm.Get("action") != "deny"
	if err := d.storage.decideDevice(code, user, r.PostForm.Get("password"), approve); err != nil {
		d.storage.log.Info("dev IdP device sign-in refused", "username", user, "reason", err.Error())
		d.render(w, http.StatusBadRequest, deviceData{UserCode: code, Selected: user, Error: refusalText(err)})
		return
	}
	if !approve {
		d.storage.log.Info("dev IdP device sign-in denied by the user")
		renderMessage(w, http.StatusOK, "Device sign-in denied", "The device was not signed in. You can close this window.")
		return
	}
	d.storage.log.Info("dev IdP device sign-in approved", "username", user)
	renderMessage(w, http.StatusOK, "Device signed in", "The device is signed in; it continues by itself. You can close this window.")
}

func (d *devicePage) render(w http.ResponseWriter, status int, data deviceData) {
	data.Users = d.storage.users
	data.Issuer = d.issuer
	if data.Selected == "" {
		data.Selected = d.storage.users[0].Username
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = deviceTmpl.Execute(w, data)
}

var deviceTmpl = template.Must(template.New("device").Funcs(template.FuncMap{"initial": initial}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in a device · Desklit demo</title>` + pageStyle + `</head>
<body><main class="card">
<h1>Sign in a device</h1>
<p class="muted">Offline demo provider at {{.Issuer}}. Enter the code the device shows, pick a demo user; the default password is <code>desklit</code>.</p>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/device">
<label class="pw" for="user_code">Code</label>
<input id="user_code" type="text" name="user_code" value="{{.UserCode}}" autocomplete="off" spellcheck="false" required
 style="width:100%;padding:10px 12px;border:1px solid var(--line);border-radius:8px;background:transparent;color:var(--fg);font:inherit;letter-spacing:.15em;text-transform:uppercase;margin-bottom:12px">
{{range .Users}}<label class="user"><span class="avatar">{{initial .Name}}</span>
<span>{{.Name}}<small>{{.Email}} · {{.Username}}</small></span>
<input type="radio" name="username" value="{{.Username}}" {{if eq .Username $.Selected}}checked{{end}}></label>
{{end}}
<label class="pw" for="password">Password</label>
<input id="password" type="password" name="password" autocomplete="current-password" {{if .UserCode}}autofocus{{end}}>
<button type="submit" name="action" value="approve">Sign in the device</button>
<button type="submit" name="action" value="deny" class="secondary" formnovalidate>Deny</button>
</form></main></body></html>`))
