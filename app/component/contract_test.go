package component

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/session"
)

// contractFile is the session's contract shared with the component's (TypeScript) and the
// Python host's tests.
const contractFile = "../../testdata/session-contract.json"

type contractCase struct {
	View   *session.View `json:"view"`
	Now    time.Time     `json:"now"`
	Answer any           `json:"answer"`
}

func readContract(t *testing.T) map[string]contractCase {
	t.Helper()
	b, err := os.ReadFile(contractFile)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]json.RawMessage
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	out := map[string]contractCase{}
	for _, name := range []string{"signedIn", "expired", "signedOut"} {
		var cc contractCase
		if err := json.Unmarshal(c[name], &cc); err != nil || cc.Answer == nil {
			t.Fatalf("%s: %v (no answer?)", name, err)
		}
		out[name] = cc
	}
	return out
}

// asJSON is v as the generic value json.Unmarshal makes, for comparing with the contract.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSessionAnswerFollowsTheContract(t *testing.T) {
	for name, c := range readContract(t) {
		t.Run(name, func(t *testing.T) {
			got := asJSON(t, answerFor(c.View, "127.0.0.1:3001", "http://127.0.0.1:8888", c.Now))
			if !reflect.DeepEqual(got, c.Answer) {
				t.Fatalf("answer\n%v\nwant (testdata/session-contract.json)\n%v", got, c.Answer)
			}
		})
	}
}

// TestSessionRouteAnswersTheContract: /api/session answers with answerFor, and a session's
// refresh token stays behind.
func TestSessionRouteAnswersTheContract(t *testing.T) {
	c := readContract(t)["signedIn"] // expires in 2030: not expired by the real clock either
	h := newHarness(t)
	h.sessions.set(&session.Session{View: *c.View, RefreshToken: "REFRESH-TOKEN-SECRET-VALUE"}, nil)
	resp := h.request(t, "GET", "/api/session", LaunchHeader, testSecret)
	body := readAll(t, resp)
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s: %v", resp.StatusCode, body, err)
	}
	if want := strings.TrimPrefix(h.srv.URL(), "http://"); got["hostname"] != want {
		t.Fatalf("hostname %v, want the request's Host %s", got["hostname"], want)
	}
	got["hostname"] = "127.0.0.1:3001" // the contract's port
	if !reflect.DeepEqual(any(got), c.Answer) {
		t.Fatalf("answer\n%v\nwant (testdata/session-contract.json)\n%v", got, c.Answer)
	}
}
