package project

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/desklit/desklit/app/config"
)

// streamlitSecrets is where Streamlit's own sign-in (st.login) keeps a project's [auth].
const streamlitSecrets = ".streamlit/secrets.toml"

const discoverySuffix = "/.well-known/openid-configuration"

// streamlitAuth is the sign-in the [auth] of a project's .streamlit/secrets.toml names for
// Streamlit's st.login (a provider: server_metadata_url, client_id, client_secret,
// client_kwargs.scope): the project's issuer when its desklit.toml has no [auth], so that an app
// written for Streamlit Community Cloud signs in with the client it already has. The provider is
// [auth]'s own, else its named one ([auth.auth0], the shape of Streamlit's docs), else the named
// ones when they all name one issuer and client. Named providers of several issuers (Google and
// Microsoft) cannot be one Desklit session: none is taken, and warning says so. Nothing when the
// file or those keys are absent; a value Desklit cannot use is an error naming file and key.
func streamlitAuth(dir string) (a Auth, warning string, err error) {
	file := filepath.Join(dir, filepath.FromSlash(streamlitSecrets))
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return Auth{}, "", nil
	}
	if err != nil {
		return Auth{}, "", err
	}
	var doc struct {
		Auth map[string]any `toml:"auth"`
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		return Auth{}, "", &Error{File: file, Msg: err.Error()}
	}
	if own, ok := providerOf(doc.Auth); ok {
		a, err := own.auth(file, "auth")
		return a, "", err
	}
	var named []Auth
	var names []string
	for _, name := range slices.Sorted(maps.Keys(doc.Auth)) {
		sub, _ := doc.Auth[name].(map[string]any)
		if pr, ok := providerOf(sub); ok {
			a, err := pr.auth(file, "auth."+name)
			if err != nil {
				return Auth{}, "", err
			}
			named, names = append(named, a), append(names, name+" ("+a.Issuer+")")
		}
	}
	switch {
	case len(named) == 0:
		return Auth{}, "", nil
	case slices.ContainsFunc(named, func(o Auth) bool { return o.Issuer != named[0].Issuer || o.ClientID != named[0].ClientID }):
		return Auth{}, fmt.Sprintf("%s names several sign-in providers (%s); Desklit signs in with one: the embedded provider, unless desklit.toml's [auth] names the issuer and client to use",
			file, strings.Join(names, ", ")), nil
	}
	return named[0], "", nil
}

// stProvider is one provider of Streamlit's [auth].
type stProvider struct {
	metadataURL, clientID, clientSecret string
	kwargs                              map[string]any
}

// providerOf reads a provider's keys from an [auth] table or one of its named tables; ok is false
// when it names no server_metadata_url and client_id.
func providerOf(t map[string]any) (stProvider, bool) {
	str := func(k string) string { v, _ := t[k].(string); return v }
	kw, _ := t["client_kwargs"].(map[string]any)
	p := stProvider{metadataURL: str("server_metadata_url"), clientID: strings.TrimSpace(str("client_id")), clientSecret: str("client_secret"), kwargs: kw}
	return p, p.metadataURL != "" && p.clientID != ""
}

// auth is the provider as the project's sign-in, its keys named under table in file.
func (p stProvider) auth(file, table string) (Auth, error) {
	if !strings.HasSuffix(p.metadataURL, discoverySuffix) {
		return Auth{}, &Error{File: file, Key: table + ".server_metadata_url", Msg: "Desklit needs an OpenID discovery URL (…" + discoverySuffix + ")"}
	}
	iss, err := config.NormalizeIssuer(strings.TrimSuffix(p.metadataURL, discoverySuffix))
	if err != nil {
		return Auth{}, &Error{File: file, Key: table + ".server_metadata_url", Msg: err.Error()}
	}
	src := file + " [" + table + "]"
	out := Auth{Issuer: iss, ClientID: p.clientID, ClientSecret: p.clientSecret,
		Source: map[string]string{"AUTH0_ISSUER_BASE_URL": src, "AUTH0_CLIENT_ID": src}}
	if scope, ok := p.kwargs["scope"].(string); ok && strings.TrimSpace(scope) != "" {
		if !strings.Contains(" "+scope+" ", " openid ") {
			return Auth{}, &Error{File: file, Key: table + ".client_kwargs.scope", Msg: fmt.Sprintf("%q must include \"openid\"", scope)}
		}
		out.Scope, out.Source["AUTH0_SCOPE"] = strings.Join(strings.Fields(scope), " "), src
	}
	return out, nil
}
