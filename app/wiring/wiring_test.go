package wiring

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/desklit/desklit/app/config"
)

// The settings reach the packages that use them, and their files stay where earlier versions
// kept them (a user's dev IdP users and opt-in session file must survive an upgrade).
func TestOptionsFollowTheConfiguration(t *testing.T) {
	env := map[string]string{"DESKLIT_IDP_PORT": "9400", "DESKLIT_CALLBACK_PORT": "9401", "AUTH0_SCOPE": "openid  email",
		"AUTH0_AUDIENCE": "https://api.test", "DESKLIT_ALLOW_PLAINTEXT_SESSION": "true"}
	cfg, err := config.Load(nil, func(k string) string { return env[k] }, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	paths := config.Paths{Data: "/data/desklit"}

	idp := IdPOptions(cfg, paths, nil)
	if idp.Port != 9400 || idp.DataDir != filepath.Join("/data/desklit", "idp") || idp.ClientID != cfg.ClientID || idp.Audience != "https://api.test" {
		t.Errorf("IdPOptions = %+v", idp)
	}
	flow := FlowConfig(cfg, nil)
	if flow.Issuer != cfg.Issuer() || flow.ClientID != cfg.ClientID || flow.CallbackPort != 9401 ||
		flow.Audience != "https://api.test" || !slices.Equal(flow.Scopes, []string{"openid", "email"}) {
		t.Errorf("FlowConfig = %+v", flow)
	}
	kr := KeyringOptions(cfg, paths, nil)
	if !kr.AllowPlaintext || kr.PlaintextFile != filepath.Join("/data/desklit", "session.json") {
		t.Errorf("KeyringOptions = %+v", kr)
	}
}
