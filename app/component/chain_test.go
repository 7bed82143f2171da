package component_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/desklit/desklit/app/component"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/control/controltest"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/sse"
)

// The whole chain as the shell wires it when it has no keyring: the component asks the shell
// to sign in over the control channel, the shell's change is pushed through the control channel
// to the component's event stream, and /api/session then reads the shell's session.
func TestChainThroughTheControlChannel(t *testing.T) {
	c, shell := startChain(t)
	c.converge(false, "on connect")

	shell.Login(c.ctx) // the shell signs in by itself (window toolbar) and publishes
	if who := c.converge(true, "after the shell signed in"); who != "AT-CHAIN/u-42" {
		t.Fatalf("session after sign-in: %s", who)
	}
	if resp := c.do("POST", "/api/logout"); resp.StatusCode != 200 {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	c.converge(false, "after sign-out through the component")
	if resp := c.do("POST", "/api/login"); resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	c.converge(true, "after sign-in through the component")
}

// chain is a component server that reads the session and signs in over a control channel to a
// shell that keeps the session in memory, and a client of its event stream.
type chain struct {
	t      *testing.T
	ctx    context.Context
	srv    *component.Server
	events chan sse.Event
}

const chainSecret = "launch-secret-0123456789"

func startChain(t *testing.T) (*chain, *controltest.Sessions) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })

	shell := &controltest.Sessions{LoginAs: &session.Session{ // a shell that keeps the session in memory (no keyring)
		View: session.View{
			User:        session.User{Sub: "u-42", Name: "Grace", Email: "grace@example.test"},
			AccessToken: "AT-CHAIN",
			IDToken:     "IDT-CHAIN",
			Expiry:      time.Now().Add(time.Hour),
		},
	}}
	ctl, err := control.NewServer(shell, "control-token-0123456789", nil)
	if err != nil {
		t.Fatal(err)
	}
	client := control.NewClient(ctl.URL(), "control-token-0123456789")
	srv, err := component.New(component.Options{
		StreamlitOrigin: "http://127.0.0.1:4010", LaunchSecret: chainSecret,
		Sessions: client, SignIn: client, Changes: client.Changes(ctx),
		Assets: fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, serve := range []func(context.Context) error{ctl.Serve, srv.Serve} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = serve(ctx) }()
	}
	c := &chain{t: t, ctx: ctx, srv: srv, events: make(chan sse.Event, 8)}
	stream := c.do("GET", "/api/events")
	t.Cleanup(func() { stream.Body.Close() })
	go func() { _ = sse.Read(ctx, stream.Body, func(ev sse.Event) error { c.events <- ev; return nil }) }()
	return c, shell
}

func (c *chain) do(method, path string) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequestWithContext(c.ctx, method, c.srv.URL()+path, nil)
	req.Header.Set(component.LaunchHeader, chainSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp
}

// signedIn is what /api/session says: signed in or not, and "<access token>/<sub>".
func (c *chain) signedIn() (bool, string) {
	resp := c.do("GET", "/api/session")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var info struct {
		SignedIn    bool   `json:"signed_in"`
		AccessToken string `json:"access_token"`
		User        struct{ Sub string }
	}
	if err := json.Unmarshal(body, &info); err != nil {
		c.t.Fatalf("session: %v: %s", err, body)
	}
	return info.SignedIn, info.AccessToken + "/" + info.User.Sub
}

// converge waits for pushed events, reading the session after each, until it is as wanted.
func (c *chain) converge(want bool, what string) string {
	c.t.Helper()
	for {
		select {
		case <-c.events:
			if got, who := c.signedIn(); got == want {
				return who
			}
		case <-time.After(5 * time.Second): // failure bound only
			c.t.Fatalf("%s: no event brought the change", what)
		}
	}
}
