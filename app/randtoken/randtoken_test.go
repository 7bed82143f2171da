package randtoken

import (
	"encoding/base64"
	"testing"
)

func TestNew(t *testing.T) {
	a, b := New(32), New(32)
	if a == b {
		t.Fatal("two tokens are the same")
	}
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil || len(raw) != 32 {
		t.Fatalf("%q decodes to %d bytes, %v; want 32 bytes of base64url", a, len(raw), err)
	}
}
