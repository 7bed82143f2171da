package supervisor

import "time"

// backoff grows the restart delay exponentially from min to max, with jitter so that services
// that crashed together do not restart in lockstep. Each delay lies in [d/2, d) where d doubles
// per step, so successive delays never shrink until the cap.
type backoff struct {
	min, max time.Duration
	n        int
	rand     func() float64
}

func (b *backoff) next() time.Duration {
	d := b.max
	if b.n < 62 {
		if v := b.min << b.n; v > 0 && v < b.max {
			d = v
			b.n++
		}
	}
	half := d / 2
	return half + time.Duration(b.rand()*float64(d-half))
}

func (b *backoff) reset() { b.n = 0 }
