package devidp

import "errors"

// refusal is a sentence the sign-in pages show as it is: written for the user, holding no secret.
type refusal string

func (r refusal) Error() string { return string(r) }

// The sign-in pages' refusals.
const (
	errWrongPassword refusal = "wrong username or password"
	errRequestGone   refusal = "this sign-in request has expired; start the sign-in again from the app"
	errCodeUnknown   refusal = "this code is unknown or has expired; start the sign-in again on the device"
	errCodeUsed      refusal = "this code has already been used"
)

// refusalText is what a page says of err: a refusal's own sentence, else a fixed one (the log has
// the error).
func refusalText(err error) string {
	var r refusal
	if errors.As(err, &r) {
		return string(r)
	}
	return "the sign-in could not be completed; the dev IdP's log says why"
}
