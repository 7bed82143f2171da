package sse

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestSSEReader(t *testing.T) {
	in := ": comment\nretry: 100\n\nid: 4\nevent: changed\ndata: {\"a\":\ndata: 1}\n\ndata:plain\n\n"
	var got []Event
	err := Read(context.Background(), strings.NewReader(in), func(ev Event) error { got = append(got, ev); return nil })
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err %v, want io.ErrUnexpectedEOF at the end of the stream", err)
	}
	want := []Event{{ID: "4", Name: "changed", Data: "{\"a\":\n1}"}, {ID: "4", Name: "message", Data: "plain"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("events %+v, want %+v", got, want)
	}
}

func TestHubCoalesces(t *testing.T) {
	h := NewHub()
	sub, cancel := h.Subscribe()
	defer cancel()
	h.Publish()
	h.Publish()
	h.Publish()
	<-sub
	select {
	case <-sub:
		t.Fatal("a slow subscriber got a backlog")
	default:
	}
	cancel()
	h.Publish() // no subscriber left: must not block
}
