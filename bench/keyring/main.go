// Command keyring measures how long reading the session from the real system keyring takes:
// it saves a realistic session (about 4 KB of JSON) under a throw-away service name, loads it
// -n times, and prints the median, p95, min and max of one Load; then it deletes the entries.
//
// Run it against a throw-away gnome-keyring:
//
//	test/keyring/with-secret-service.sh go -C bench run ./keyring
//
// The goal is a median of at most 20 ms.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/keyring:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("keyring", flag.ContinueOnError)
	n := fs.Int("n", 100, "timed loads (at least 50)")
	saves := fs.Int("saves", 20, "timed saves")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 50 {
		return fmt.Errorf("-n %d: want at least 50 loads", *n)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	st := keyringstore.New(keyringstore.SystemBackend{}, keyringstore.Options{
		Service: fmt.Sprintf("desklit-bench-%d", os.Getpid()), Logger: log,
	})
	if err := st.Probe(ctx); err != nil {
		return fmt.Errorf("the system keyring does not work (run under test/keyring/with-secret-service.sh): %w", err)
	}
	defer st.Delete(context.WithoutCancel(ctx)) //nolint:errcheck // best effort on the way out

	sess := realisticSession()
	var saveTimes []time.Duration
	for range *saves {
		start := time.Now()
		if err := st.Save(ctx, sess); err != nil {
			return err
		}
		saveTimes = append(saveTimes, time.Since(start))
	}
	if _, err := st.Load(ctx); err != nil { // warm-up: D-Bus connection
		return err
	}
	var loadTimes []time.Duration
	for range *n {
		start := time.Now()
		got, err := st.Load(ctx)
		if err != nil {
			return err
		}
		loadTimes = append(loadTimes, time.Since(start))
		if got.AccessToken != sess.AccessToken {
			return fmt.Errorf("load returned another session")
		}
	}
	size := jsonSize(sess)
	fmt.Fprintf(out, "session: %d bytes of JSON in %d chunks of <= %d bytes + manifest; %s\n", size,
		(base64.StdEncoding.EncodedLen(size)+keyringstore.ChunkSize-1)/keyringstore.ChunkSize,
		keyringstore.ChunkSize, runtime.Version())
	report(out, "load", loadTimes)
	report(out, "save", saveTimes)
	return nil
}

func report(out io.Writer, what string, d []time.Duration) {
	slices.Sort(d)
	q := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	fmt.Fprintf(out, "%s: n=%d median=%s p95=%s min=%s max=%s\n", what, len(d),
		q(0.5).Round(10*time.Microsecond), q(0.95).Round(10*time.Microsecond),
		d[0].Round(10*time.Microsecond), d[len(d)-1].Round(10*time.Microsecond))
}

// realisticSession is shaped like an Auth0 session: RS256 JWTs of ~1.5 KB and ~1.2 KB.
func realisticSession() *session.Session {
	return &session.Session{
		View: session.View{
			Issuer:   "https://desklit.eu.auth0.com/",
			ClientID: "b3J7q8kL0pXyZ1aN2cD4eF6gH8iJ0kLm",
			User: session.User{Sub: "auth0|64f1c2d3e4b5a6978877a1b2", Name: "Ada Lovelace",
				Email: "ada@example.com", Picture: "https://s.gravatar.com/avatar/0123456789abcdef0123456789abcdef?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fal.png"},
			AccessToken: jwtLike(1500),
			IDToken:     jwtLike(1200),
			TokenType:   "Bearer",
			Scope:       "openid profile email offline_access",
			Expiry:      time.Now().Add(time.Hour).UTC(),
		},
		RefreshToken: jwtLike(600),
	}
}

func jwtLike(n int) string {
	b := make([]byte, n*3/4)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func jsonSize(s *session.Session) int {
	b, _ := json.Marshal(s)
	return len(b)
}
