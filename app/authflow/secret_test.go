package authflow

import (
	"context"
	"testing"

	"golang.org/x/oauth2"
)

// A confidential client (an st.login app's [auth] with its client_secret) sends its secret with
// the code exchange and the refresh, in the body; a native client sends none.
func TestClientSecretGoesWithTheTokenRequests(t *testing.T) {
	op := newFakeOP(t, func(map[string]any) {})
	for _, secret := range []string{"", "the-apps-secret"} {
		flow := New(Config{Issuer: op.URL, ClientID: "client-1", ClientSecret: secret})
		p, _, err := flow.discover(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conf := flow.oauthConfig(p, "http://127.0.0.1:1/callback")
		if conf.ClientSecret != secret || conf.Endpoint.AuthStyle != oauth2.AuthStyleInParams {
			t.Fatalf("secret %q: config has %q, auth style %v", secret, conf.ClientSecret, conf.Endpoint.AuthStyle)
		}
	}
}
