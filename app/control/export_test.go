package control

import (
	"log/slog"
	"net"
)

// newServerAt is NewServer on a given address, for the reconnect test.
func newServerAt(sessions Sessions, addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return newServer(sessions, testToken, slog.New(slog.DiscardHandler), ln), nil
}
