package supervisor

import "sync"

// broadcaster fans values out to subscribers. Each subscriber has its own queue and goroutine,
// so a slow reader never blocks the publisher and still sees every value in order. A positive
// limit bounds each queue by dropping the oldest values (used for log lines, not for events).
type broadcaster[T any] struct {
	mu    sync.Mutex
	subs  map[*subscriber[T]]struct{}
	limit int
}

type subscriber[T any] struct {
	mu    sync.Mutex
	queue []T
	wake  chan struct{}
	done  chan struct{}
	once  sync.Once
	limit int
}

// publish hands v to every subscriber. Callers that need a global order serialise their calls.
func (b *broadcaster[T]) publish(v T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		s.push(v)
	}
}

func (b *broadcaster[T]) subscribe() (<-chan T, func()) {
	s := &subscriber[T]{wake: make(chan struct{}, 1), done: make(chan struct{}), limit: b.limit}
	out := make(chan T, 16)
	b.mu.Lock()
	if b.subs == nil {
		b.subs = make(map[*subscriber[T]]struct{})
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	go s.deliver(out)
	cancel := func() {
		b.mu.Lock()
		delete(b.subs, s)
		b.mu.Unlock()
		s.once.Do(func() { close(s.done) })
	}
	return out, cancel
}

func (s *subscriber[T]) push(v T) {
	s.mu.Lock()
	s.queue = append(s.queue, v)
	if s.limit > 0 && len(s.queue) > s.limit {
		s.queue = s.queue[len(s.queue)-s.limit:]
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// deliver moves queued values to out until the subscription is cancelled, then closes out.
func (s *subscriber[T]) deliver(out chan<- T) {
	defer close(out)
	for {
		s.mu.Lock()
		batch := s.queue
		s.queue = nil
		s.mu.Unlock()
		for _, v := range batch {
			select {
			case out <- v:
			case <-s.done:
				return
			}
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-s.wake:
		case <-s.done:
			return
		}
	}
}
