//go:build linux || freebsd || openbsd || netbsd || dragonfly

package keyringstore

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// TestVanishedRealSecretService asks the real Secret Service about an item that was deleted,
// as go-keyring does when another process deletes it between its search and its read: each of
// the service's answers must read as ErrEntryNotFound. An error about something else must not.
func TestVanishedRealSecretService(t *testing.T) {
	if os.Getenv("DESKLIT_TEST_REAL_KEYRING") != "1" {
		t.Skip("needs a real Secret Service: run under test/keyring/with-secret-service.sh (make test-keyring)")
	}
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	const service, user = "desklit-test-vanished", "session"
	if err := keyring.Set(service, user, "x"); err != nil {
		t.Fatal(err)
	}
	secrets := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var unlocked, locked []dbus.ObjectPath
	err = secrets.Call("org.freedesktop.Secret.Service.SearchItems", 0,
		map[string]string{"service": service, "username": user}).Store(&unlocked, &locked)
	if err != nil || len(unlocked) != 1 {
		t.Fatalf("search: %v, %v", unlocked, err)
	}
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := secrets.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		t.Fatal(err)
	}
	if err := keyring.Delete(service, user); err != nil {
		t.Fatal(err)
	}
	item := conn.Object("org.freedesktop.secrets", unlocked[0])
	calls := map[string]error{
		"GetSecret": item.Call("org.freedesktop.Secret.Item.GetSecret", 0, session).Err,
		"Delete":    item.Call("org.freedesktop.Secret.Item.Delete", 0).Err,
		"Label":     item.Call("org.freedesktop.DBus.Properties.Get", 0, "org.freedesktop.Secret.Item", "Label").Err,
	}
	// The collection is an object, but not an item: GDBus names the missing interface.
	collection := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets/collection/login")
	calls["GetSecret on a collection"] = collection.Call("org.freedesktop.Secret.Item.GetSecret", 0, session).Err
	for name, err := range calls {
		t.Logf("%s: %#v", name, err)
		if err == nil {
			t.Errorf("%s succeeded", name)
		} else if !errors.Is(vanished(err), ErrEntryNotFound) {
			t.Errorf("%s: %v, not read as ErrEntryNotFound", name, err)
		}
	}
	// Errors about anything else stay what they are.
	others := map[string]error{
		"unknown method of the service": secrets.Call("org.freedesktop.Secret.Service.NoSuchMethod", 0).Err,
		"no such service":               conn.Object("org.freedesktop.desklit.none", "/").Call("org.freedesktop.DBus.Peer.Ping", 0).Err,
	}
	for name, err := range others {
		t.Logf("%s: %#v", name, err)
		if err == nil || errors.Is(vanished(err), ErrEntryNotFound) {
			t.Errorf("%s: %v read as a vanished item", name, err)
		}
	}
}

// TestNoSecretServiceReason: a session bus on which nothing provides the Secret Service is told
// apart by its D-Bus error name (as godbus returns it, wrapped or not), and the user reads that,
// not the bus's words.
func TestNoSecretServiceReason(t *testing.T) {
	unknown := dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown",
		Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}
	for _, err := range []error{unknown, &unknown, fmt.Errorf("probe: %w", unknown)} {
		if got := reason(err); !strings.Contains(got, "no Secret Service") || strings.Contains(got, ".service files") {
			t.Errorf("reason(%v) = %q", err, got)
		}
	}
	locked := errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
	if got := reason(locked); strings.Contains(got, "/org/freedesktop") || !strings.Contains(got, "locked") {
		t.Errorf("reason(locked) = %q", got)
	}
}
