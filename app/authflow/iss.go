package authflow

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/desklit/desklit/app/issuer"
)

// checkResponseIssuer applies RFC 9207 to the authorization response, its error responses
// included: an "iss" that is not the issuer the request went to (simple string comparison) is
// refused, since the code may come from another provider (a mix-up attack); so is a response
// without "iss" from a provider whose discovery says it always sends one.
func checkResponseIssuer(q url.Values, meta issuer.Document) error {
	got, sent := q["iss"]
	switch {
	case sent && (len(got) != 1 || got[0] != meta.Issuer):
		return &IssuerMismatchError{Expected: meta.Issuer, Got: clean(strings.Join(got, ","), 200)}
	case !sent && meta.IssParameter:
		return &IssuerMismatchError{Expected: meta.Issuer}
	}
	return nil
}

// IssuerMismatchError: the authorization response names another issuer than the one the sign-in
// was sent to, or none although the provider says it always does (RFC 9207).
type IssuerMismatchError struct{ Expected, Got string }

func (e *IssuerMismatchError) Error() string {
	if e.Got == "" {
		return fmt.Sprintf("the sign-in response carries no issuer (iss), although %s announces it in every response (RFC 9207); it was refused", e.Expected)
	}
	return fmt.Sprintf("the sign-in response comes from the issuer %q, not from %q where the sign-in was sent (RFC 9207); it was refused", e.Got, e.Expected)
}
