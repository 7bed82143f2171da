package authflow

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/issuer"
)

// TestResponseIssuer (RFC 9207): a callback whose "iss" is not the issuer the sign-in went to is
// refused with a message that says so; one without "iss" is refused only when the provider's
// discovery says it always sends one.
func TestResponseIssuer(t *testing.T) {
	same := func(iss string) string { return iss }
	tests := []struct {
		name      string
		iss       func(string) string
		supported bool
		wantErr   bool
	}{
		{"no iss, none announced", nil, false, false},
		{"the issuer's own iss", same, true, false},
		{"the issuer's own iss, not announced", same, false, false},
		{"another provider's iss", func(string) string { return "https://evil.example" }, false, true},
		{"another provider's iss, announced", func(string) string { return "https://evil.example" }, true, true},
		{"iss with an extra slash (simple string comparison)", func(iss string) string { return iss + "/" }, true, true},
		{"no iss although announced", nil, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, _ := newLogger(t)
			op := newFakeOP(t, func(map[string]any) {})
			op.respIss, op.issSupported = tt.iss, tt.supported
			var redirect string
			s, err := New(Config{Issuer: op.URL, ClientID: "client-1", Logger: log}).Login(context.Background(), op.opener(&redirect))
			if !tt.wantErr {
				if err != nil || s == nil {
					t.Fatalf("sign-in refused: %v", err)
				}
				return
			}
			var me *IssuerMismatchError
			if !errors.As(err, &me) || !strings.Contains(err.Error(), "RFC 9207") || !strings.Contains(err.Error(), op.URL) {
				t.Fatalf("err = %v, want an IssuerMismatchError naming %s", err, op.URL)
			}
		})
	}
}

// An error response is checked too: a provider's access_denied that names another issuer is a
// mix-up, not that provider's answer.
func TestResponseIssuerOnErrorResponse(t *testing.T) {
	meta := issuer.Document{Issuer: "https://idp.example/realms/x"}
	q := url.Values{"state": {"s"}, "error": {"access_denied"}, "iss": {"https://evil.example"}}
	err := (&Flow{}).checkAndPeek(q, meta)
	var me *IssuerMismatchError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want an IssuerMismatchError", err)
	}
	q.Set("iss", meta.Issuer)
	var pe *ProviderError
	if err := (&Flow{}).checkAndPeek(q, meta); !errors.As(err, &pe) || pe.Code != "access_denied" {
		t.Fatalf("err = %v, want the provider's access_denied", err)
	}
}

// checkAndPeek runs complete's checks that come before the code exchange.
func (f *Flow) checkAndPeek(q url.Values, meta issuer.Document) error {
	_, err := f.complete(context.Background(), nil, nil, q, q.Get("state"), "", "", meta)
	return err
}
