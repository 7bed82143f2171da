package authflow

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// DiscoveryError is a provider whose discovery document could not be had: its host unknown here
// (no network, or a mistyped issuer), no connection, no answer in time, or a document that lacks
// what sign-in needs. The sign-in page never opened, so nothing the user did there is the cause.
type DiscoveryError struct {
	Issuer string
	Err    error
}

func (e *DiscoveryError) Error() string {
	var dns *net.DNSError
	var op *net.OpError
	why := "it did not answer as an OpenID provider does (the reason is in Desklit's log)"
	switch {
	case errors.As(e.Err, &dns):
		why = "its address is not known here: this computer is offline, or the issuer is mistyped"
	case errors.Is(e.Err, context.DeadlineExceeded):
		why = "it did not answer in time: check this computer's connection"
	case errors.As(e.Err, &op):
		why = "no connection could be made to it: check this computer's connection, or a proxy or firewall"
	case errors.Is(e.Err, errIncompleteDiscovery):
		why = "its discovery document lacks authorization_endpoint, token_endpoint or jwks_uri: check the issuer"
	}
	return fmt.Sprintf("the sign-in provider %s could not be reached: %s", e.Issuer, why)
}

func (e *DiscoveryError) Unwrap() error { return e.Err }

var errIncompleteDiscovery = errors.New("the discovery document lacks authorization_endpoint, token_endpoint or jwks_uri")
