// Package randtoken makes the random secrets and identifiers Desklit hands out: launch secrets,
// control tokens, event-stream tickets, OAuth state and nonce, the dev IdP's codes and tokens.
package randtoken

import (
	"crypto/rand"
	"encoding/base64"
)

// New returns n random bytes from crypto/rand as unpadded base64url (URL- and header-safe).
// It cannot fail: since Go 1.24 crypto/rand.Read ends the program rather than return an error
// on a platform whose random source is broken, where nothing would be safe anyway.
func New(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
