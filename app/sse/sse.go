// Package sse is the small server-sent events toolkit that the control channel (app/control) and
// the component server (app/component) share: a hub that fans change notifications out, a
// stream writer that sends "changed" events carrying only a generation number, and a reader for
// Go clients.
package sse

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// KeepAlive is how often an idle stream sends a comment, so that a dead peer is noticed.
const KeepAlive = 15 * time.Second

// Change is the data of one "changed" event. It never carries a token.
type Change struct {
	Generation uint64 `json:"generation"`
}

// Hub fans change notifications out to streams. Each subscriber holds at most one pending
// notification: a slow reader sees the latest generation, never a backlog.
type Hub struct {
	mu   sync.Mutex
	gen  uint64
	subs map[chan struct{}]struct{}
}

// NewHub returns a hub at generation 0.
func NewHub() *Hub { return &Hub{subs: map[chan struct{}]struct{}{}} }

// Publish records one change and wakes every subscriber. It returns the new generation.
func (h *Hub) Publish() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gen++
	for c := range h.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
	return h.gen
}

// Generation is the number of changes published so far.
func (h *Hub) Generation() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.gen
}

// Subscribe returns a channel woken after each change, the generation at the time of
// subscribing, and a function that ends the subscription.
func (h *Hub) Subscribe() (<-chan struct{}, uint64, func()) {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	h.subs[c] = struct{}{}
	gen := h.gen
	h.mu.Unlock()
	return c, gen, func() {
		h.mu.Lock()
		delete(h.subs, c)
		h.mu.Unlock()
	}
}

// Stream answers r with an event stream: one "changed" event at once with the current
// generation, then one per change, until the client goes away or done ends.
func (h *Hub) Stream(w http.ResponseWriter, r *http.Request, done <-chan struct{}) {
	sub, gen, cancel := h.Subscribe()
	defer cancel()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(g uint64) bool {
		data, _ := json.Marshal(Change{Generation: g})
		if _, err := fmt.Fprintf(w, "id: %d\nevent: changed\ndata: %s\n\n", g, data); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(gen) {
		return
	}
	tick := time.NewTicker(KeepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-done:
			return
		case <-tick.C:
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case <-sub:
			if !send(h.Generation()) {
				return
			}
		}
	}
}

// Event is one dispatched server-sent event.
type Event struct {
	ID, Name, Data string
}

// Read parses an event stream and calls fn for each event until the stream ends, fn returns an
// error, or ctx ends (the caller should close the body then). Comments are skipped.
func Read(ctx context.Context, body io.Reader, fn func(Event) error) error {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	var ev Event
	var data []string
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		line := sc.Text()
		if line == "" {
			if len(data) > 0 || ev.Name != "" {
				ev.Data = strings.Join(data, "\n")
				if ev.Name == "" {
					ev.Name = "message"
				}
				if err := fn(ev); err != nil {
					return err
				}
			}
			ev, data = Event{ID: ev.ID}, nil
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			ev.Name = value
		case "data":
			data = append(data, value)
		case "id":
			ev.ID = value
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read event stream: %w", err)
	}
	return io.ErrUnexpectedEOF
}
