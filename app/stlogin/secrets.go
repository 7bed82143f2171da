package stlogin

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/pelletier/go-toml/v2"

	"github.com/desklit/desklit/app/randtoken"
)

// AppAuth is the [auth] section an app's secrets give Streamlit (the last file that has one wins:
// Streamlit merges its secrets files one top-level key at a time).
type AppAuth struct {
	File         string   // the secrets file it came from
	Providers    []string // the named providers ([auth.NAME]), sorted
	ExposeTokens any      // expose_tokens as written ("id", ["id", "access"]), or nil
	// The default provider's settings, when the app has them: what Desklit may sign in against
	// when nothing else names an issuer.
	ServerMetadataURL, ClientID, ClientSecret string
	ClientKwargs                              map[string]any
	// Extra are the app's own keys of its [auth] (allowed_users = [...]), which it reads with
	// st.secrets["auth"]: Desklit's [auth] replaces the app's whole, so it carries them.
	Extra map[string]any
}

// authKeys are the [auth] keys of Streamlit's sign-in, which Desklit's [auth] sets or leaves out.
var authKeys = []string{"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url", "client_kwargs", "expose_tokens"}

// ReadAppAuth reads the [auth] section of the secrets files Streamlit reads, in its order; nil
// when none has one. A file that is not TOML is an error naming it.
func ReadAppAuth(files []string) (*AppAuth, error) {
	var found *AppAuth
	for _, f := range files {
		data, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var doc struct {
			Auth map[string]any `toml:"auth"`
		}
		if err := toml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if doc.Auth != nil {
			found = appAuth(f, doc.Auth)
		}
	}
	return found, nil
}

func appAuth(file string, sec map[string]any) *AppAuth {
	a := &AppAuth{File: file, ExposeTokens: sec["expose_tokens"]}
	str := func(k string) string { s, _ := sec[k].(string); return s }
	a.ServerMetadataURL, a.ClientID, a.ClientSecret = str("server_metadata_url"), str("client_id"), str("client_secret")
	a.ClientKwargs, _ = sec["client_kwargs"].(map[string]any)
	for k, v := range sec {
		_, table := v.(map[string]any)
		switch {
		case slices.Contains(authKeys, k):
		case table:
			a.Providers = append(a.Providers, k)
		default:
			if a.Extra == nil {
				a.Extra = map[string]any{}
			}
			a.Extra[k] = v
		}
	}
	sort.Strings(a.Providers)
	return a
}

// SecretsFile is the name of Desklit's secrets file for Streamlit, in the folder WriteSecrets is given.
const SecretsFile = "streamlit-auth-secrets.toml"

// WriteSecrets writes, 0600 under dir, the secrets file that points Streamlit's [auth] at the
// broker; Streamlit reads it after the app's own, so its [auth] replaces the app's. Every named
// provider of the app signs in through the broker too: Desklit has one issuer. A fresh cookie
// secret per launch: Streamlit's sign-in cookie does not outlive the Desklit that made it.
func (b *Broker) WriteSecrets(dir string, app *AppAuth) (string, error) {
	client := map[string]any{"client_id": ClientID, "client_secret": b.secret, "server_metadata_url": b.MetadataURL()}
	auth := map[string]any{"redirect_uri": b.RedirectURI(), "cookie_secret": randtoken.New(32)}
	for k, v := range client {
		auth[k] = v
	}
	if app != nil {
		for k, v := range app.Extra {
			auth[k] = v
		}
		if app.ExposeTokens != nil {
			auth["expose_tokens"] = app.ExposeTokens
		}
		for _, p := range app.Providers {
			if !slices.Contains([]string{"redirect_uri", "cookie_secret", "expose_tokens"}, p) {
				auth[p] = client
			}
		}
	}
	data, err := toml.Marshal(map[string]any{"auth": auth})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, SecretsFile)
	tmp, err := os.CreateTemp(dir, ".streamlit-auth-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}
