//go:build unix

package supervisor

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
)

func TestLogsReachFileRingAndSubscribers(t *testing.T) {
	s := newTestSupervisor(t, Options{RingSize: 5})
	lines, cancel := s.SubscribeLogs()
	defer cancel()
	if err := s.Start(context.Background(), helperSpec("api", "serve", testutil.FreePort(t), "HELPER_LINES=10")); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The ring keeps the last 5 stdout/stderr lines; stdout ends with line 9.
	ring := s.Logs("api")
	if len(ring) != 5 {
		t.Fatalf("ring holds %d lines, want 5: %v", len(ring), ring)
	}
	var stdout []string
	for _, l := range ring {
		if l.Service != "api" || l.Time.IsZero() {
			t.Errorf("line %+v", l)
		}
		if l.Stream == "stdout" {
			stdout = append(stdout, l.Text)
		}
	}
	if len(stdout) == 0 || stdout[len(stdout)-1] != "line 9" {
		t.Errorf("ring stdout %q, want it to end with line 9", stdout)
	}

	b, err := os.ReadFile(filepath.Join(s.opts.LogDir, "api.log"))
	if err != nil {
		t.Fatal(err)
	}
	file := string(b)
	for _, want := range []string{" stdout hello stdout\n", " stderr hello stderr\n", " stdout line 0\n", " stdout line 9\n"} {
		if !strings.Contains(file, want) {
			t.Errorf("log file lacks %q:\n%s", want, file)
		}
	}
	first, _, _ := strings.Cut(file, " ")
	if _, err := time.Parse("2006-01-02T15:04:05.000Z07:00", first); err != nil {
		t.Errorf("line not time-stamped: %v", err)
	}

	var got []string
	for len(got) < 12 {
		select {
		case l := <-lines:
			got = append(got, l.Stream+" "+l.Text)
		case <-time.After(30 * time.Second):
			t.Fatalf("subscriber got %d lines: %q", len(got), got)
		}
	}
	if !slices.Contains(got, "stderr hello stderr") || !slices.Contains(got, "stdout line 9") {
		t.Errorf("subscriber lines %q", got)
	}
}

func TestSubscribersSeeEveryChangeInOrder(t *testing.T) {
	s := newTestSupervisor(t, Options{})
	live, cancelLive := s.Subscribe()
	defer cancelLive()
	slow, cancelSlow := s.Subscribe() // read only at the end
	defer cancelSlow()
	ctx := context.Background()
	if err := s.Start(ctx, helperSpec("api", "serve", testutil.FreePort(t)), helperSpec("component", "serve", testutil.FreePort(t))); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(ctx, "api"); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string][]State{
		"api":       {Starting, Ready, Stopping, Starting, Ready, Stopping, Stopped},
		"component": {Starting, Ready, Stopping, Stopped},
	}
	const total = 11
	for _, sub := range []struct {
		name string
		ch   <-chan Event
	}{{"live", live}, {"slow", slow}} {
		got := map[string][]State{}
		var last uint64
		var stopOrder []string
		for i := range total {
			var ev Event
			select {
			case ev = <-sub.ch:
			case <-time.After(30 * time.Second):
				t.Fatalf("%s: %d events, want %d: %v", sub.name, i, total, got)
			}
			if ev.Seq != last+1 {
				t.Errorf("%s: seq %d after %d", sub.name, ev.Seq, last)
			}
			last = ev.Seq
			got[ev.Status.Name] = append(got[ev.Status.Name], ev.Status.State)
			if ev.Status.State == Stopped {
				stopOrder = append(stopOrder, ev.Status.Name)
			}
		}
		for name, w := range want {
			if !slices.Equal(got[name], w) {
				t.Errorf("%s: %s states %v, want %v", sub.name, name, got[name], w)
			}
		}
		if !slices.Equal(stopOrder, []string{"component", "api"}) {
			t.Errorf("%s: stop order %v, want reverse start order", sub.name, stopOrder)
		}
	}
	cancelLive()
	if _, open := <-live; open {
		// drain whatever was queued; the channel must close
		for range live {
		}
	}
}
