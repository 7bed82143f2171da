package loadgen

import (
	"flag"
	"fmt"
	"time"
)

// Flags are a load benchmark's options: connections, the length and number of rounds, and the
// rate of the fixed-rate phase.
type Flags struct {
	Conns    int
	Duration time.Duration
	Rounds   int
	Rate     float64
}

// AddFlags declares -conns, -duration, -rounds and -rate on fs, with the connections and the rate
// given as defaults; the values are in the Flags once fs is parsed.
func AddFlags(fs *flag.FlagSet, conns int, rate float64) *Flags {
	f := &Flags{}
	fs.IntVar(&f.Conns, "conns", conns, "concurrent keep-alive connections")
	fs.DurationVar(&f.Duration, "duration", 5*time.Second, "length of one round")
	fs.IntVar(&f.Rounds, "rounds", 5, "rounds per target (alternating)")
	fs.Float64Var(&f.Rate, "rate", rate, "offered requests/s for the fixed-rate latency phase")
	return f
}

// WarmUp runs each target for a second, unmeasured: connections open, keys fetched.
func WarmUp(targets []Target, conns int) error {
	for _, t := range targets {
		if _, err := Closed(t, conns, time.Second); err != nil {
			return fmt.Errorf("warm-up %s: %w", t.Name, err)
		}
	}
	return nil
}
