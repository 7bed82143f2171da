package keyringstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
)

// storedSession is a session as Desklit wrote it into the keyring and the opt-in file before
// session.View (#16), field order and the since-dropped "generation" included. That format is on
// users' machines: every later version must load it, and write what it can load.
const storedSession = `{"issuer":"https://desklit.eu.auth0.com/","client_id":"b3J7q8kL0pXyZ1aN2cD4eF6gH8iJ0kLm",` +
	`"user":{"sub":"auth0|ada","name":"Ada Lovelace","email":"ada@example.com","picture":"https://example.com/ada.png"},` +
	`"access_token":"eyJat.SECRETVALUE.a","id_token":"eyJid.SECRETVALUE.i","refresh_token":"eyJrt.SECRETVALUE.r",` +
	`"token_type":"Bearer","scope":"openid profile email offline_access","expiry":"2026-11-27T20:00:00Z","generation":3}`

func storedWant() *session.Session {
	return &session.Session{
		View: session.View{
			Issuer:   "https://desklit.eu.auth0.com/",
			ClientID: "b3J7q8kL0pXyZ1aN2cD4eF6gH8iJ0kLm",
			User: session.User{Sub: "auth0|ada", Name: "Ada Lovelace", Email: "ada@example.com",
				Picture: "https://example.com/ada.png"},
			AccessToken: "eyJat.SECRETVALUE.a",
			IDToken:     "eyJid.SECRETVALUE.i",
			TokenType:   "Bearer",
			Scope:       "openid profile email offline_access",
			Expiry:      time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC),
		},
		RefreshToken: "eyJrt.SECRETVALUE.r",
	}
}

// putStored writes storedSession into b the way the keyring store lays it out: a manifest and
// base64 chunks of at most ChunkSize bytes.
func putStored(t *testing.T, b *keyringstore.MockBackend) {
	t.Helper()
	enc := base64.StdEncoding.EncodeToString([]byte(storedSession))
	sum := sha256.Sum256([]byte(storedSession))
	const tag = "0123456789abcdef"
	n := 0
	for i := 0; i < len(enc); i += keyringstore.ChunkSize {
		if err := b.Set(keyringstore.DefaultService, fmt.Sprintf("session.g3.%s.c%d", tag, n), enc[i:min(i+keyringstore.ChunkSize, len(enc))]); err != nil {
			t.Fatal(err)
		}
		n++
	}
	manifest := fmt.Sprintf(`{"v":1,"gen":3,"tag":%q,"chunks":%d,"len":%d,"sha256":%q}`, tag, n, len(storedSession), hex.EncodeToString(sum[:]))
	if err := b.Set(keyringstore.DefaultService, "session", manifest); err != nil {
		t.Fatal(err)
	}
}

func TestStoredSessionsStillLoad(t *testing.T) {
	ctx := context.Background()
	log, _ := newLogger(t)
	t.Run("keyring", func(t *testing.T) {
		b := &keyringstore.MockBackend{}
		putStored(t, b)
		got, err := keyringstore.New(b, keyringstore.Options{Logger: log}).Load(ctx)
		checkErr(t, err)
		if err != nil || !sameSession(got, storedWant()) {
			t.Fatalf("Load = %v, %v; want %v", got, err, storedWant())
		}
	})
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "session.json")
		if err := os.WriteFile(path, []byte(storedSession), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := keyringstore.NewFileStore(path, log).Load(ctx)
		checkErr(t, err)
		if err != nil || !sameSession(got, storedWant()) {
			t.Fatalf("Load = %v, %v; want %v", got, err, storedWant())
		}
	})
}

// TestStoredFormatIsKept: what a save writes has the fields of the stored format, with the same
// names and values, so that an older Desklit reads a session a newer one wrote.
func TestStoredFormatIsKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.json")
	log, _ := newLogger(t)
	if err := keyringstore.NewFileStore(path, log).Save(context.Background(), storedWant()); err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any
	if err := json.Unmarshal(written, &got); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal([]byte(storedSession), &want)
	delete(want, "generation") // read by no version; no longer written
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("a save writes\n%s\nwant the fields of\n%s", strings.ReplaceAll(string(written), "SECRETVALUE", "…"), strings.ReplaceAll(storedSession, "SECRETVALUE", "…"))
	}
}
