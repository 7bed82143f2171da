package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Readiness polling: the first probe at once, then 2 ms, growing by half each time up to 40 ms.
// Streamlit needs ~0.5 s: with a 250 ms ceiling its Ready came up to 250 ms after its health
// answered, and the window waited for it. A refused or answered local probe costs microseconds.
const (
	firstPollGap = 2 * time.Millisecond
	maxPollGap   = 40 * time.Millisecond
	probeTimeout = 2 * time.Second
)

// healthClient talks to local services only; no proxy, no kept-alive connections.
var healthClient = &http.Client{
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// waitReady probes until the service answers healthy or ctx ends; it returns nil when ready,
// else the last probe's error.
func waitReady(ctx context.Context, sp Spec) error {
	probe := healthProbe(sp)
	if probe == nil {
		return nil
	}
	gap := firstPollGap
	for {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		err := probe(pctx)
		cancel()
		if err == nil {
			return nil
		}
		t := time.NewTimer(gap)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		gap = min(gap*3/2, maxPollGap)
	}
}

// healthProbe is one probe of the service's health: its health URL, else a connection to its
// port; nil when it has neither (ready as soon as it runs).
func healthProbe(sp Spec) func(ctx context.Context) error {
	switch {
	case sp.HealthURL != "":
		return func(ctx context.Context) error { return probeHTTP(ctx, sp.HealthURL, sp.HealthBody) }
	case sp.Port > 0:
		return func(ctx context.Context) error { return probeTCP(ctx, sp.Port) }
	}
	return nil
}

// healthCheckName says what the readiness check of sp is, for messages: "GET <health URL>", a
// connection to its port.
func healthCheckName(sp Spec) string {
	switch {
	case sp.HealthURL != "":
		return "GET " + sp.HealthURL
	case sp.Port > 0:
		return fmt.Sprintf("a connection to port %d", sp.Port)
	}
	return "its start"
}

func probeHTTP(ctx context.Context, url, want string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := healthClient.Do(req)
	if err != nil {
		var op *net.OpError
		switch {
		case errors.As(err, &op):
			return op // "dial tcp 127.0.0.1:8888: connect: connection refused", without the URL
		case errors.Is(err, context.DeadlineExceeded):
			return errors.New("no answer") // connected, but nothing came back in time
		}
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("read health answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("health check answered %s", resp.Status)
	}
	if want != "" && !strings.Contains(string(body), want) {
		return fmt.Errorf("health check answer lacks %q", want)
	}
	return nil
}

func probeTCP(ctx context.Context, port int) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return err
	}
	return c.Close()
}
