// Command component measures how fast a session change reaches the component: the shell
// publishes a change, the control channel pushes it to the component server, the component
// server pushes it to an event-stream client, and that client fetches /api/session (the same
// requests the component makes in the browser). It reports the median, p95, min and max over
// -n changes, for the push alone and for push + fetch.
//
//	go -C bench run ./component [-n 200] [-source control|memory]
//
// -source control reads the session over the control channel (the shell has no keyring);
// -source memory reads it in process (the cost of a keyring read is not included).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"testing/fstest"
	"time"

	"github.com/desklit/desklit/app/component"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/control/controltest"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/sse"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/component:", err)
		os.Exit(1)
	}
}

func run() error {
	n := flag.Int("n", 200, "measured session changes (at least 50)")
	source := flag.String("source", "control", "where the component reads the session: control or memory")
	flag.Parse()
	if *n < 50 {
		return errors.New("-n must be at least 50")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := serve(ctx, *source)
	if err != nil {
		return err
	}
	stream, err := b.get("/api/events")
	if err != nil {
		return err
	}
	defer stream.Body.Close()
	events := make(chan time.Time, 64)
	go func() {
		_ = sse.Read(ctx, stream.Body, func(sse.Event) error { events <- time.Now(); return nil })
	}()
	if err := b.waitForStreams(events); err != nil {
		return err
	}
	const warmup = 10
	push, total, err := b.measure(events, *n, warmup)
	if err != nil {
		return err
	}
	fmt.Printf("component push channel, %d changes (after %d warm-up), session source %q, GOMAXPROCS=%d\n",
		*n, warmup, *source, runtime.GOMAXPROCS(0))
	report("shell publish -> SSE event at client", push)
	report("shell publish -> /api/session fetched", total)
	return nil
}

// The bench's fixed secrets: the control channel's token and the page's launch secret.
const ctlToken, secret = "bench-control-token-0123456789", "bench-launch-secret-0123456789"

// bench is the component server and the control channel on a session the bench publishes.
type bench struct {
	ctx context.Context
	sh  *controltest.Sessions
	srv *component.Server
}

// serve starts the control channel and the component server, which reads the session from
// source: the control channel (a shell without a keyring) or memory (as from the keyring).
func serve(ctx context.Context, source string) (*bench, error) {
	sh := &controltest.Sessions{} // a session in memory whose changes are published, like the session manager's
	ctl, err := control.NewServer(sh, ctlToken, nil)
	if err != nil {
		return nil, err
	}
	client := control.NewClient(ctl.URL(), ctlToken)
	var sessions component.SessionSource = client
	switch source {
	case "control":
	case "memory":
		sessions = sh
	default:
		return nil, fmt.Errorf("-source %q: want control or memory", source)
	}
	srv, err := component.New(component.Options{
		StreamlitOrigin: "http://127.0.0.1:4010", LaunchSecret: secret,
		Sessions: sessions, SignIn: client, Changes: client.Changes(ctx),
		Assets: fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}},
	})
	if err != nil {
		return nil, err
	}
	go func() { _ = ctl.Serve(ctx) }()
	go func() { _ = srv.Serve(ctx) }()
	return &bench{ctx: ctx, sh: sh, srv: srv}, nil
}

func (b *bench) get(path string) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(b.ctx, "GET", b.srv.URL()+path, nil)
	req.Header.Set(component.LaunchHeader, secret)
	return http.DefaultClient.Do(req)
}

// fetchSub is the subject of the session /api/session answers ("" when signed out).
func (b *bench) fetchSub() (string, error) {
	resp, err := b.get("/api/session")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var info struct{ User *struct{ Sub string } }
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &info); err != nil {
		return "", err
	}
	if info.User == nil {
		return "", nil
	}
	return info.User.Sub, nil
}

// waitForStreams waits until both streams are up: changes reach the client.
func (b *bench) waitForStreams(events chan time.Time) error {
	deadline := time.After(10 * time.Second)
	for ready := false; !ready; {
		b.sh.Set(nil)
		select {
		case <-events:
			ready = true
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			return errors.New("the event stream did not start")
		}
	}
	drain(events)
	return nil
}

// measure publishes n+warmup sessions and times, after the warm-up, each one's event at the
// client (push) and its fetch through /api/session (total).
func (b *bench) measure(events chan time.Time, n, warmup int) (push, total []time.Duration, err error) {
	for i := range n + warmup {
		sub := fmt.Sprintf("user-%d", i)
		time.Sleep(2 * time.Millisecond) // let the previous change settle everywhere
		drain(events)
		start := time.Now()
		b.sh.Set(&session.Session{
			View: session.View{
				User:        session.User{Sub: sub, Name: "Bench"},
				AccessToken: "bench-at",
				IDToken:     "bench-idt",
				Expiry:      start.Add(time.Hour),
			},
		})
		var got time.Time
		select {
		case got = <-events:
		case <-time.After(5 * time.Second):
			return nil, nil, fmt.Errorf("change %d: no event in 5s", i)
		}
		seen, err := b.fetchSub()
		if err != nil {
			return nil, nil, fmt.Errorf("change %d: %w", i, err)
		}
		done := time.Now()
		if seen != sub {
			return nil, nil, fmt.Errorf("change %d: fetched %q, want %q", i, seen, sub)
		}
		if i >= warmup {
			push = append(push, got.Sub(start))
			total = append(total, done.Sub(start))
		}
	}
	return push, total, nil
}

func drain(c <-chan time.Time) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

func report(what string, d []time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	q := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s)-1)+0.5))] }
	fmt.Printf("  %-40s median %8s  p95 %8s  min %8s  max %8s\n", what,
		q(0.5).Round(time.Microsecond), q(0.95).Round(time.Microsecond),
		s[0].Round(time.Microsecond), s[len(s)-1].Round(time.Microsecond))
}
