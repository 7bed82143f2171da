package authflow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A provider that cannot be reached is said as such, in words a user may read (Message): the
// sign-in page never opened. Against a closed port, a host this computer cannot resolve, and a
// server that answers without a discovery document's endpoints.
func TestDiscoveryError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	incomplete := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer": "http://%s"}`, r.Host)
	}))
	defer incomplete.Close()
	for issuerURL, want := range map[string]string{
		closed:                        "no connection could be made to it",
		"http://desklit-test.invalid": "its address is not known here",
		incomplete.URL:                "its discovery document lacks authorization_endpoint",
	} {
		f := New(Config{Issuer: issuerURL, ClientID: "desklit"})
		_, _, err := f.discover(context.Background())
		var de *DiscoveryError
		msg, ok := Message(err)
		if !errors.As(err, &de) || !ok || !strings.HasPrefix(msg, "the sign-in provider "+issuerURL+" could not be reached: "+want) {
			t.Errorf("%s: discover = %v; Message = %q, %v; want it to say %q", issuerURL, err, msg, ok, want)
		}
	}
}
