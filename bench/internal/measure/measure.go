// Package measure holds what the benchmarks share: order statistics, the machine's load and a
// child's environment.
package measure

import (
	"os"
	"slices"
	"strings"
)

// Number is what the statistics take: float64 milliseconds or time.Duration.
type Number interface{ ~int64 | ~float64 }

// Median is the middle value (the mean of the middle two for an even count); 0 for none.
func Median[T Number](v []T) T {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Pct is the p-th percentile by nearest rank (p95 of 10 values is the largest); 0 for none.
func Pct[T Number](v []T, p float64) T {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	k := int(float64(len(s))*p/100+0.999999) - 1
	return s[max(0, min(k, len(s)-1))]
}

// LoadAvg is the 1, 5 and 15 minute load averages, or "?" where /proc cannot tell.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// WithoutEnv is env without the variable name.
func WithoutEnv(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
