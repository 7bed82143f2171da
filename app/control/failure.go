package control

import "github.com/desklit/desklit/app/authflow"

// failureMessage is what an answer says of a failed sign-in, sign-out or refresh: our sentence
// for the failure (authflow.Message), else where to read why. Never Go's chain of wrapped errors.
func failureMessage(err error) string {
	if msg, ok := authflow.Message(err); ok {
		return msg
	}
	return "see Desklit's log for the reason"
}
