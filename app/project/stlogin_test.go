package project

import (
	"reflect"
	"testing"
)

// An app written for st.login and cloned without its secrets.toml: its code (any file, any name it
// imports streamlit as, in the forms Streamlit's docs and public apps use) says that it signs in
// and with which providers; a secrets example adds its providers and expose_tokens. Code that does
// not call st.login (a comment, another module's login, an environment's packages) does not count.
func TestStLoginUse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		files  map[string]string
		want   *StLogin
		nilled bool
	}{
		{"no st.login", map[string]string{
			"app.py":          "import streamlit as st\nimport flask_login\nflask_login.login()\n# st.login('google')\nst.write(st.user)\n",
			"pages/a.py":      "from streamlit import login as x\n",
			".venv/lib/x.py":  "import streamlit as st\nst.login('venv')\n",
			"env/pyvenv.cfg":  "home = /usr/bin\n",
			"env/lib/site.py": "import streamlit as st\nst.login('env')\n",
		}, nil, true},
		{"a callback, the default provider", map[string]string{
			"app.py": "import streamlit as st\nif not st.user.is_logged_in:\n    st.button(\"Log in\", on_click=st.login)\n",
		}, &StLogin{}, false},
		{"named providers in pages and in a folder below", map[string]string{
			"app.py":            "import streamlit as st\nst.login(provider=\"auth0\")  # Auth0\n",
			"pages/2_Google.py": "import streamlit\nif streamlit.button('Google'):\n    streamlit.login('google')\n",
			"src/auth.py":       "import streamlit as stl\nstl.button('Okta', on_click=stl.login, args=[\"okta\"])\nstl.login ( provider = 'microsoft' )\n",
			"__pycache__/x.py":  "import streamlit as st\nst.login('cache')\n",
		}, &StLogin{Providers: []string{"auth0", "google", "microsoft", "okta"}}, false},
		// Several modules on one import line (singhtaru/GoogleAuth's shape); a submodule binds no alias.
		{"streamlit among other imports", map[string]string{
			"app.py":       "import os, requests, streamlit as st  # one line\nst.button('Log in', on_click=st.login, args=['google'])\n",
			"pages/one.py": "import streamlit as st2, pandas as pd\nst2.login('okta')\n",
			"pages/two.py": "import streamlit.components.v1 as c\nc.login('no')\n",
		}, &StLogin{Providers: []string{"google", "okta"}}, false},
		{"a secrets example beside the code", map[string]string{
			"app.py": "import streamlit as st\nst.login('google')\n",
			".streamlit/secrets.toml.example": "[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\nexpose_tokens = [\"id\", \"access\"]\n" +
				"[auth.google]\nclient_id = \"....\"\n[auth.auth0]\nclient_kwargs = { \"prompt\" = \"login\" }\n",
			".streamlit/config.toml": "[auth.ignored]\n",
		}, &StLogin{Providers: []string{"auth0", "google"}, ExposeTokens: []any{"id", "access"}}, false},
		{"an example that is not TOML is documentation", map[string]string{
			"app.py":                          "import streamlit as st\nst.login()\n",
			".streamlit/secrets.example.toml": "[auth\nclient_id = <yours>\n",
		}, &StLogin{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := stLoginUse(tree(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			if tt.nilled != (got == nil) || got != nil && !reflect.DeepEqual(*got, *tt.want) {
				t.Fatalf("stLoginUse = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// A packaged app's recorded shape is its own; a project's comes from its run folder's code.
func TestStLoginShape(t *testing.T) {
	t.Parallel()
	dir := tree(t, map[string]string{"src/app.py": "import streamlit as st\nst.login('google')\n", "requirements.txt": "streamlit\n"})
	p := &Project{Dir: dir + "/src", WorkDir: dir}
	if s, err := p.StLoginShape(); err != nil || s == nil || !reflect.DeepEqual(s.Providers, []string{"google"}) {
		t.Fatalf("a project: %#v %v", s, err)
	}
	p.StLogin = &StLogin{Providers: []string{"kept"}}
	if s, err := p.StLoginShape(); err != nil || s != p.StLogin {
		t.Fatalf("a packaged app: %#v %v", s, err)
	}
	if got := MergeProviders([]string{"okta", "google"}, nil, []string{"google"}); !reflect.DeepEqual(got, []string{"google", "okta"}) {
		t.Fatalf("MergeProviders = %v", got)
	}
}

// The launch secret goes into the page's address only for an app that reads it: one whose code
// imports desklit_auth (in any file, in either form), not one that merely names it.
func TestUsesDesklitAuth(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		files map[string]string
		want  bool
	}{
		{map[string]string{"app.py": "import streamlit as st\nimport desklit_auth as auth\nauth.sign_in()\n"}, true},
		{map[string]string{"app.py": "import streamlit as st\n", "pages/api.py": "from desklit_auth import authed_session\n"}, true},
		{map[string]string{"app.py": "import streamlit as st\n", "lib/calls.py": "    from desklit_auth.http import AuthSession\n"}, true},
		{map[string]string{"app.py": "import streamlit as st\n# import desklit_auth later\nst.write('desklit_auth')\n"}, false},
		{map[string]string{"app.py": "import desklit_authx\n", ".venv/lib/x.py": "import desklit_auth\n", "env/pyvenv.cfg": "home = /usr\n"}, false},
	} {
		dir := tree(t, tt.files)
		p := &Project{Dir: dir, WorkDir: dir}
		if got, err := p.UsesDesklitAuth(); err != nil || got != tt.want {
			t.Errorf("UsesDesklitAuth(%v) = %v, %v; want %v", tt.files, got, err, tt.want)
		}
	}
}
