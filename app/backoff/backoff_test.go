package backoff

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		name string
		rnd  float64
		min  time.Duration
		max  time.Duration
		want []time.Duration
	}{
		{"no jitter draw", 0, 100 * time.Millisecond, time.Second,
			[]time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond}},
		{"half draw", 0.5, 100 * time.Millisecond, time.Second,
			[]time.Duration{75 * time.Millisecond, 150 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond, 750 * time.Millisecond, 750 * time.Millisecond}},
		{"min equals max", 0, time.Second, time.Second,
			[]time.Duration{500 * time.Millisecond, 500 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Backoff{Min: tt.min, Max: tt.max, Rand: func() float64 { return tt.rnd }}
			var got []time.Duration
			for range tt.want {
				got = append(got, b.Next())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("delays %v, want %v", got, tt.want)
			}
			b.Reset()
			if d := b.Next(); d != tt.want[0] {
				t.Errorf("after reset %v, want %v", d, tt.want[0])
			}
		})
	}
}

// fakeClock records the delays Sleep asks for and fires when the test says so.
type fakeClock struct {
	asked chan time.Duration
	fire  chan time.Time
}

func (c fakeClock) After(d time.Duration) <-chan time.Time {
	c.asked <- d
	return c.fire
}

func TestSleepOnTheClockUntilTheContextEnds(t *testing.T) {
	clock := fakeClock{asked: make(chan time.Duration, 1), fire: make(chan time.Time, 1)}
	b := Backoff{Min: time.Second, Max: time.Minute, Clock: clock, Rand: func() float64 { return 0 }}
	d := b.Next()
	clock.fire <- time.Now()
	if err := b.Sleep(context.Background(), d); err != nil {
		t.Fatalf("Sleep = %v, want nil once the clock fired", err)
	}
	if got := <-clock.asked; got != 500*time.Millisecond {
		t.Errorf("slept %v, want the delay Next gave (500ms)", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Sleep(ctx, b.Next()); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep with an ended context = %v, want context.Canceled at once", err)
	}
}
