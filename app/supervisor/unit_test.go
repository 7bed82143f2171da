package supervisor

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPortInUseErrorMessage(t *testing.T) {
	tests := []struct {
		err  PortInUseError
		want string
	}{
		{PortInUseError{Service: "api", Port: 8888, PID: 1234, Name: "python3", Cmdline: "python3 -m http.server 8888"},
			"port 8888 (api) is in use by python3 (pid 1234: python3 -m http.server 8888)"},
		{PortInUseError{Service: "api", Port: 8888}, "port 8888 (api) is in use by another program"},
		{PortInUseError{Service: "component", Port: 3001, PID: 7, Name: "x"}, "port 3001 (component) is in use by x (pid 7)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestLogFileRotates(t *testing.T) {
	dir := t.TempDir()
	lf, err := openLogFile(dir, "api", 200)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for i := range 20 {
		lf.write(LogLine{Time: now, Stream: "stdout", Text: strings.Repeat("x", 20) + string(rune('a'+i))})
	}
	lf.close()
	cur, err := os.ReadFile(filepath.Join(dir, "api.log"))
	if err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(filepath.Join(dir, "api.log.1"))
	if err != nil {
		t.Fatalf("no rotated file: %v", err)
	}
	if len(cur) > 200 || len(old) > 200 {
		t.Errorf("sizes %d and %d exceed 200", len(cur), len(old))
	}
	if !strings.HasSuffix(string(cur), strings.Repeat("x", 20)+"t\n") {
		t.Errorf("current file does not end with the last line: %q", cur)
	}
	if !strings.HasPrefix(string(cur), "2026-11-27T12:00:00.000Z stdout ") {
		t.Errorf("line format: %q", cur)
	}
}

func TestBroadcasterKeepsOrderForSlowReaders(t *testing.T) {
	var b broadcaster[int]
	fast, cancelFast := b.subscribe()
	slow, cancelSlow := b.subscribe()
	defer cancelFast()
	defer cancelSlow()
	const n = 5000
	done := make(chan []int)
	go func() {
		var got []int
		for v := range fast {
			got = append(got, v)
			if len(got) == n {
				break
			}
		}
		done <- got
	}()
	for i := range n {
		b.publish(i) // never blocks, although slow is not read yet
	}
	check := func(name string, got []int) {
		t.Helper()
		if len(got) != n {
			t.Fatalf("%s: %d values", name, len(got))
		}
		for i, v := range got {
			if v != i {
				t.Fatalf("%s: value %d at %d", name, v, i)
			}
		}
	}
	check("fast", <-done)
	var got []int
	for v := range slow {
		got = append(got, v)
		if len(got) == n {
			break
		}
	}
	check("slow", got)
	cancelSlow()
	for range slow { // closes after cancel
	}
}

func TestRingBufferKeepsLastLines(t *testing.T) {
	o := newOutput("api", 3, nil, realClock{}, nil)
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		o.line("stdout", s)
	}
	var got []string
	for _, l := range o.lines() {
		got = append(got, l.Text)
	}
	if !slices.Equal(got, []string{"c", "d", "e"}) {
		t.Errorf("ring %v", got)
	}
	if tail := o.tail(2); tail != "  d\n  e" {
		t.Errorf("tail %q", tail)
	}
}

// TestCrashPolicy replays crash histories with synthetic times: an isolated crash of a service
// that had been Ready comes back after the shortest delay, however many isolated crashes came
// before; crashes before Ready, or soon after it, grow the delay and trip the breaker.
func TestCrashPolicy(t *testing.T) {
	pol := RestartPolicy{MaxCrashes: 5, Window: time.Minute, MinBackoff: 250 * time.Millisecond,
		MaxBackoff: 10 * time.Second, StableAfter: 30 * time.Second, HealthyFor: time.Second}.withDefaults()
	const shortest = 125 * time.Millisecond       // MinBackoff/2 with a zero jitter draw
	type run struct{ ready, crash time.Duration } // after the start; ready < 0: never Ready
	tests := []struct {
		name      string
		run       run
		runs      int
		wantDelay []time.Duration // per crash; the last crash trips when wantTrip
		wantTrip  bool
	}{
		{"kill -9 every 16 s of a Ready service", run{500 * time.Millisecond, 16 * time.Second}, 8,
			[]time.Duration{shortest, shortest, shortest, shortest, shortest, shortest, shortest, shortest}, false},
		{"crash loop before Ready", run{-1, 200 * time.Millisecond}, 5,
			[]time.Duration{shortest, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 0}, true},
		{"crash loop soon after Ready", run{300 * time.Millisecond, 500 * time.Millisecond}, 5,
			[]time.Duration{shortest, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 0}, true},
		{"Ready for a while, but crashing every few seconds", run{300 * time.Millisecond, 3 * time.Second}, 5,
			[]time.Duration{shortest, shortest, shortest, shortest, 0}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newCrashBook(pol, func() float64 { return 0 })
			now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
			var delays []time.Duration
			tripped := false
			for i := range tt.runs {
				started := now
				var ready time.Time
				if tt.run.ready >= 0 {
					ready = started.Add(tt.run.ready)
				}
				now = started.Add(tt.run.crash)
				d, trip, n := b.crash(now, started, ready)
				if trip {
					tripped = true
					if i != tt.runs-1 || n != pol.MaxCrashes {
						t.Fatalf("tripped at crash %d (%d counted)", i+1, n)
					}
				}
				delays = append(delays, d)
				now = now.Add(d)
			}
			if tripped != tt.wantTrip || !slices.Equal(delays, tt.wantDelay) {
				t.Errorf("delays %v, tripped %v; want %v, %v", delays, tripped, tt.wantDelay, tt.wantTrip)
			}
		})
	}
}

func TestCPUTracker(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	c := cpuTracker{limit: 90, hold: 30 * time.Second}
	var flips []string
	// Samples every 5 s: high for 35 s, a dip, high again for 10 s, then low.
	for i, pct := range []float64{99, 99, 99, 99, 99, 99, 99, 50, 99, 99, 10} {
		start := t0.Add(time.Duration(i) * 5 * time.Second)
		if c.observe(start, start.Add(5*time.Second), pct) {
			flips = append(flips, fmt.Sprintf("%d:%v", i, c.high))
		}
	}
	// Sample 5 ends 30 s after sample 0 began: high; the dip clears it; 10 s is not enough.
	if want := []string{"5:true", "7:false"}; !slices.Equal(flips, want) {
		t.Errorf("flips %v, want %v", flips, want)
	}
}

// Terminal colours and titles are taken out of a service's lines (Flask's and uvicorn's logs).
func TestStripANSI(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b[31m\x1b[1mWARNING: This is a development server.\x1b[0m":                            "WARNING: This is a development server.",
		"INFO:     Uvicorn running on \x1b[1mhttp://127.0.0.1:8000\x1b[0m (Press CTRL+C to quit)": "INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)",
		"\x1b]0;title\x07plain \x1b[2K\x1b[1Gdone":                                                "plain done",
		"no escapes [31m": "no escapes [31m",
	} {
		if got := stripANSI(in); got != want {
			t.Errorf("stripANSI(%q) = %q, want %q", in, got, want)
		}
	}
}
