package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/desklit/desklit/app/config"
)

// streamlitSecrets is where Streamlit's own sign-in (st.login) keeps a project's [auth].
const streamlitSecrets = ".streamlit/secrets.toml"

const discoverySuffix = "/.well-known/openid-configuration"

// streamlitAuth is the sign-in the [auth] of a project's .streamlit/secrets.toml names for
// Streamlit's st.login (its default provider: server_metadata_url, client_id, client_secret,
// client_kwargs.scope): the project's issuer when its desklit.toml has no [auth], so that an app
// written for Streamlit Community Cloud signs in with the client it already has. Nothing when
// the file or those keys are absent; a value Desklit cannot use is an error naming file and key.
func streamlitAuth(dir string) (Auth, error) {
	file := filepath.Join(dir, filepath.FromSlash(streamlitSecrets))
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return Auth{}, nil
	}
	if err != nil {
		return Auth{}, err
	}
	var doc struct {
		Auth struct {
			ServerMetadataURL string         `toml:"server_metadata_url"`
			ClientID          string         `toml:"client_id"`
			ClientSecret      string         `toml:"client_secret"`
			ClientKwargs      map[string]any `toml:"client_kwargs"`
		} `toml:"auth"`
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		return Auth{}, &Error{File: file, Msg: err.Error()}
	}
	a := doc.Auth
	if a.ServerMetadataURL == "" || strings.TrimSpace(a.ClientID) == "" {
		return Auth{}, nil
	}
	if !strings.HasSuffix(a.ServerMetadataURL, discoverySuffix) {
		return Auth{}, &Error{File: file, Key: "auth.server_metadata_url", Msg: "Desklit needs an OpenID discovery URL (…" + discoverySuffix + ")"}
	}
	iss, err := config.NormalizeIssuer(strings.TrimSuffix(a.ServerMetadataURL, discoverySuffix))
	if err != nil {
		return Auth{}, &Error{File: file, Key: "auth.server_metadata_url", Msg: err.Error()}
	}
	src := file + " [auth]"
	out := Auth{Issuer: iss, ClientID: strings.TrimSpace(a.ClientID), ClientSecret: a.ClientSecret,
		Source: map[string]string{"AUTH0_ISSUER_BASE_URL": src, "AUTH0_CLIENT_ID": src}}
	if scope, ok := a.ClientKwargs["scope"].(string); ok && strings.TrimSpace(scope) != "" {
		if !strings.Contains(" "+scope+" ", " openid ") {
			return Auth{}, &Error{File: file, Key: "auth.client_kwargs.scope", Msg: fmt.Sprintf("%q must include \"openid\"", scope)}
		}
		out.Scope, out.Source["AUTH0_SCOPE"] = strings.Join(strings.Fields(scope), " "), src
	}
	return out, nil
}
