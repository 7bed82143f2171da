// Package sse is the small server-sent events toolkit that the control channel (app/control) and
// the component server (app/component) share: a hub that fans change notifications out, a
// stream writer that sends "changed" events carrying nothing, and a reader for Go clients.
package sse

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// KeepAlive is how often an idle stream sends a comment, so that a dead peer is noticed.
const KeepAlive = 15 * time.Second

// changed is the one event a stream sends. It carries nothing, a token least of all: it only
// tells the client to fetch the session again. (An event needs a data line to be dispatched.)
const changed = "event: changed\ndata: {}\n\n"

// Hub fans change notifications out to streams. Each subscriber holds at most one pending
// notification: a slow reader is told once that something changed, never sent a backlog.
type Hub struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

// NewHub returns a hub with no subscribers.
func NewHub() *Hub { return &Hub{subs: map[chan struct{}]struct{}{}} }

// Publish tells every subscriber that the session changed.
func (h *Hub) Publish() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// Subscribe returns a channel woken after each change and a function that ends the
// subscription.
func (h *Hub) Subscribe() (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	h.subs[c] = struct{}{}
	h.mu.Unlock()
	return c, func() {
		h.mu.Lock()
		delete(h.subs, c)
		h.mu.Unlock()
	}
}

// Stream answers r with an event stream: one "changed" event at once (the client fetches what
// is current), then one per change, until the client goes away or done ends.
func (h *Hub) Stream(w http.ResponseWriter, r *http.Request, done <-chan struct{}) {
	sub, cancel := h.Subscribe()
	defer cancel()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(event string) bool {
		if _, err := io.WriteString(w, event); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(changed) {
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
			if !send(": keep-alive\n\n") {
				return
			}
		case <-sub:
			if !send(changed) {
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
