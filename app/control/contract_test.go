package control

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"reflect"
	"testing"

	"github.com/desklit/desklit/app/session"
)

// TestSessionIsTheContractView: the control channel carries exactly the session.View of
// testdata/session-contract.json (which the component server makes its answer from), never the
// refresh token, and the client reads it back whole.
func TestSessionIsTheContractView(t *testing.T) {
	b, err := os.ReadFile("../../testdata/session-contract.json")
	if err != nil {
		t.Fatal(err)
	}
	var contract struct {
		SignedIn struct {
			View json.RawMessage `json:"view"`
		} `json:"signedIn"`
	}
	var view session.View
	var want any
	if err := json.Unmarshal(b, &contract); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(contract.SignedIn.View, &view); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(contract.SignedIn.View, &want)

	sessions := newFakeSessions()
	sessions.Set(&session.Session{View: view, RefreshToken: "REFRESH-TOKEN-SECRET-VALUE"})
	srv, _ := start(t, sessions)

	req, _ := http.NewRequest("GET", srv.URL()+"/session", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var got any
	if err := json.Unmarshal(raw, &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s: %v", resp.StatusCode, raw, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("/session answers\n%v\nwant the contract's view\n%v", got, want)
	}

	s, err := NewClient(srv.URL(), testToken).Session(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.RefreshToken != "" || !reflect.DeepEqual(s.View, view) {
		t.Fatalf("client read %+v (refresh token %t), want the contract's view", s.View, s.RefreshToken != "")
	}
}
