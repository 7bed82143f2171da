package authflow

import (
	"errors"

	"github.com/desklit/desklit/app/issuer"
	"github.com/desklit/desklit/app/session"
)

// userErrors are the errors whose own sentence a user may read: each says what happened in words
// written for the user and holds no secret.
var userErrors = []error{
	ErrCancelled, ErrTimeout, ErrStateMismatch, ErrNoCode, ErrNonceMismatch, ErrIDToken, ErrExchange,
	ErrNoRefreshToken, ErrDeviceExpired, ErrDeviceDenied, ErrNoDeviceEndpoint,
	session.ErrInvalidGrant, session.ErrNotFound,
}

// Message is what a user may read of a failed sign-in, sign-out or refresh: the sentence of one
// of our own errors (a sentinel above, the provider's refusal, an issuer that does not match),
// never the chain of wrapped errors, which may quote a library or the network and belongs in the
// log. ok is false when err is none of ours; the caller then says where the log is.
func Message(err error) (msg string, ok bool) {
	for _, known := range userErrors {
		if errors.Is(err, known) {
			return known.Error(), true
		}
	}
	var provider *ProviderError
	var iss *IssuerMismatchError
	var discovery *issuer.MismatchError
	var unreachable *DiscoveryError
	switch {
	case errors.As(err, &unreachable):
		return unreachable.Error(), true
	case errors.As(err, &provider):
		return provider.Error(), true
	case errors.As(err, &iss):
		return iss.Error(), true
	case errors.As(err, &discovery):
		return discovery.Error(), true
	}
	return "", false
}
