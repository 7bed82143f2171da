package control

import (
	"errors"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/issuer"
	"github.com/desklit/desklit/app/session"
)

// ourErrors are the errors whose own sentence an answer may carry: each says what happened in
// words written for the user and holds no secret.
var ourErrors = []error{
	authflow.ErrCancelled, authflow.ErrTimeout, authflow.ErrStateMismatch, authflow.ErrNoCode,
	authflow.ErrNonceMismatch, authflow.ErrIDToken, authflow.ErrExchange, authflow.ErrNoRefreshToken,
	authflow.ErrDeviceExpired, authflow.ErrDeviceDenied, authflow.ErrNoDeviceEndpoint,
	session.ErrInvalidGrant, session.ErrNotFound,
}

// failureMessage is what an answer says of a failed sign-in, sign-out or refresh: the sentence
// of one of our own errors when the failure is one, else a fixed sentence. Never Go's chain of
// wrapped errors: that goes to the log, which the answer points to.
func failureMessage(err error) string {
	for _, known := range ourErrors {
		if errors.Is(err, known) {
			return known.Error()
		}
	}
	var provider *authflow.ProviderError
	var iss *authflow.IssuerMismatchError
	var discovery *issuer.MismatchError
	switch {
	case errors.As(err, &provider):
		return provider.Error()
	case errors.As(err, &iss):
		return iss.Error()
	case errors.As(err, &discovery):
		return discovery.Error()
	}
	return "see Desklit's log for the reason"
}
