// Package httpguard holds what every Desklit listener shares: binding to 127.0.0.1 only, the
// Host check against DNS rebinding, and server timeouts.
package httpguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Listen binds 127.0.0.1:port (0 picks a free port). It never binds all interfaces.
func Listen(port int) (net.Listener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1:%d: %w", port, err)
	}
	return ln, nil
}

// Port returns the TCP port of a listener.
func Port(ln net.Listener) int { return ln.Addr().(*net.TCPAddr).Port }

// AllowedHost reports whether host is 127.0.0.1:<port> or localhost:<port>.
func AllowedHost(host string, port int) bool {
	p := strconv.Itoa(port)
	return host == "127.0.0.1:"+p || host == "localhost:"+p
}

// HostCheck rejects requests whose Host header is not this listener's loopback address with
// 421 Misdirected Request, which defeats DNS rebinding.
func HostCheck(port int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !AllowedHost(r.Host, port) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusMisdirectedRequest)
			_, _ = w.Write([]byte(`{"code":"invalid_host","description":"Host header is not this server's loopback address"}` + "\n"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// NewServer returns an http.Server with the timeouts and header limit every listener uses.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      0, // server-sent events stream; handlers set their own deadlines
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
}

// Serve runs srv on ln until ctx ends, then shuts it down with a timeout.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			_ = srv.Close()
		}
		<-errc
		return nil
	}
}
