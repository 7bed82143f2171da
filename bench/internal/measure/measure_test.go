package measure

import (
	"testing"
	"time"
)

func TestOrderStatistics(t *testing.T) {
	if got := Median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median of 3 values = %v", got)
	}
	if got := Median([]time.Duration{4, 1, 3, 2}); got != 2 {
		t.Errorf("median of 4 durations = %v, want 2 (the mean of 2 and 3, truncated)", got)
	}
	ten := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	if got := Pct(ten, 95); got != 10 {
		t.Errorf("p95 of 10 = %v, want the largest", got)
	}
	if got := Pct(ten, 50); got != 5 {
		t.Errorf("p50 of 10 = %v, want 5", got)
	}
	if Median([]float64(nil)) != 0 || Pct([]float64(nil), 95) != 0 {
		t.Error("no values should give 0")
	}
	if env := WithoutEnv([]string{"A=1", "AB=2", "B=3"}, "A"); len(env) != 2 || env[0] != "AB=2" {
		t.Errorf("WithoutEnv = %v", env)
	}
}
