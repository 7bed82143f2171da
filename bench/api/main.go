// Command api benchmarks the protected API: GET /api/pong with a valid RS256 token against a
// bare net/http handler, both on loopback, measured in the same run with the same built-in
// closed-loop load generator (N connections, one request in flight on each).
//
//	go -C bench run ./api [-conns 64] [-duration 5s] [-rounds 5] [-rate 2000]
//
// It starts an in-process OIDC issuer (discovery + JWKS), the real api.Server (with its
// JSON access log going to io.Discard), and a bare server, then alternates rounds bare/api so
// that drift on the machine hits both alike. It prints requests/s per round, the api/bare
// ratio (median, min..max) and latency percentiles. A second phase offers a fixed rate
// (-rate) over the same number of connections and reports p50/p99 latency at that rate.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/desklit/desklit/app/api"
	"github.com/desklit/desklit/app/httpguard"
	"github.com/desklit/desklit/bench/internal/measure"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/api:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench/api", flag.ContinueOnError)
	conns := fs.Int("conns", 64, "concurrent keep-alive connections")
	duration := fs.Duration("duration", 5*time.Second, "length of one round")
	rounds := fs.Int("rounds", 5, "rounds per target (alternating)")
	rate := fs.Float64("rate", 2000, "offered requests/s for the fixed-rate latency phase")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	targets, err := startTargets(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "GOMAXPROCS=%d conns=%d duration=%s rounds=%d (client and servers share the machine)\n",
		runtime.GOMAXPROCS(0), *conns, *duration, *rounds)
	for _, t := range targets { // warm-up: connections, JWKS fetch
		if _, err := load(t, *conns, time.Second); err != nil {
			return fmt.Errorf("warm-up %s: %w", t.name, err)
		}
	}
	if err := closedLoop(out, targets, *conns, *duration, *rounds); err != nil {
		return err
	}
	return fixedRate(out, targets, *conns, *rate, *duration, *rounds)
}

// startTargets starts a test issuer, the protected API on it and a bare server answering the same
// route: the two targets, the API with a valid token.
func startTargets(ctx context.Context) ([]target, error) {
	issuerURL, token, err := startIssuer(ctx)
	if err != nil {
		return nil, err
	}
	srv, err := api.New(api.Options{
		Issuer:   issuerURL,
		Audience: "https://api.desklit.local",
		Logger:   slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		return nil, err
	}
	go func() { _ = srv.Serve(ctx) }()
	bareURL, err := startBare(ctx)
	if err != nil {
		return nil, err
	}
	return []target{
		{name: "bare", url: bareURL + "/api/pong"},
		{name: "api", url: srv.URL() + "/api/pong", token: token},
	}, nil
}

// closedLoop measures each target's throughput with conns busy connections, rounds alternating.
func closedLoop(out io.Writer, targets []target, conns int, duration time.Duration, rounds int) error {
	results := map[string][]result{}
	for r := range rounds {
		for _, t := range targets {
			res, err := load(t, conns, duration)
			if err != nil {
				return fmt.Errorf("%s round %d: %w", t.name, r+1, err)
			}
			results[t.name] = append(results[t.name], res)
			fmt.Fprintf(out, "round %d %-4s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms\n",
				r+1, t.name, res.rps, ms(res.p50), ms(res.p99))
		}
	}
	var ratios, apiRPS, bareRPS, p99s, p50s []float64
	for i := range rounds {
		b, a := results["bare"][i], results["api"][i]
		ratios = append(ratios, a.rps/b.rps)
		apiRPS = append(apiRPS, a.rps)
		bareRPS = append(bareRPS, b.rps)
		p99s = append(p99s, ms(a.p99))
		p50s = append(p50s, ms(a.p50))
	}
	fmt.Fprintf(out, "\nbare  req/s  median %.0f (min %.0f, max %.0f)\n", measure.Median(bareRPS), slices.Min(bareRPS), slices.Max(bareRPS))
	fmt.Fprintf(out, "api   req/s  median %.0f (min %.0f, max %.0f)\n", measure.Median(apiRPS), slices.Min(apiRPS), slices.Max(apiRPS))
	fmt.Fprintf(out, "ratio api/bare median %.2f (min %.2f, max %.2f)   goal >= 0.60\n", measure.Median(ratios), slices.Min(ratios), slices.Max(ratios))
	fmt.Fprintf(out, "closed loop: api p50 median %.2f ms, p99 median %.2f ms (min %.2f, max %.2f)\n",
		measure.Median(p50s), measure.Median(p99s), slices.Min(p99s), slices.Max(p99s))
	fmt.Fprintf(out, "  (in a closed loop, mean latency = conns / throughput, so it measures saturation, not service time)\n\n")
	return nil
}

// fixedRate: the same connections, each sending on a schedule; latency counts from the
// scheduled send time, so a stalled server is not hidden (no coordinated omission).
func fixedRate(out io.Writer, targets []target, conns int, rate float64, duration time.Duration, rounds int) error {
	fixed := map[string][]float64{}
	for r := range rounds {
		for _, t := range targets {
			res, err := loadAtRate(t, conns, rate, duration)
			if err != nil {
				return fmt.Errorf("%s fixed-rate round %d: %w", t.name, r+1, err)
			}
			fixed[t.name] = append(fixed[t.name], ms(res.p99))
			fmt.Fprintf(out, "fixed %4.0f req/s round %d %-4s achieved %6.0f req/s  p50 %6.2f ms  p99 %6.2f ms\n",
				rate, r+1, t.name, res.rps, ms(res.p50), ms(res.p99))
		}
	}
	for _, t := range targets {
		p := fixed[t.name]
		fmt.Fprintf(out, "fixed rate %.0f req/s: %-4s p99 median %.2f ms (min %.2f, max %.2f)   goal (api) <= 5 ms\n",
			rate, t.name, measure.Median(p), slices.Min(p), slices.Max(p))
	}
	return nil
}

// loadAtRate offers rate requests/s in total over conns connections for d. Worker i sends at
// start + i*gap + k*conns*gap; latency is measured from that scheduled instant.
func loadAtRate(t target, conns int, rate float64, d time.Duration) (result, error) {
	gap := time.Duration(float64(time.Second) / rate)
	start := time.Now().Add(10 * time.Millisecond)
	end := start.Add(d)
	return drive(t, conns, start, func(i, k int) (time.Time, bool) {
		at := start.Add(time.Duration(i)*gap + time.Duration(k*conns)*gap)
		return at, at.Before(end)
	})
}

type target struct{ name, url, token string }

type result struct {
	rps      float64
	p50, p99 time.Duration
}

// load runs conns closed-loop workers against t for d, each on its own keep-alive connection.
func load(t target, conns int, d time.Duration) (result, error) {
	deadline := time.Now().Add(d)
	return drive(t, conns, time.Now(), func(int, int) (time.Time, bool) {
		now := time.Now()
		return now, now.Before(deadline)
	})
}

// drive runs conns workers against t, each on its own keep-alive connection: worker i sends its
// k-th request at next(i, k) (ok false: it is done) and measures its latency from then; the rate
// counts from start.
func drive(t target, conns int, start time.Time, next func(i, k int) (at time.Time, ok bool)) (result, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		lats  []time.Duration
		first error
	)
	for i := range conns {
		wg.Go(func() {
			local, err := worker(t, func(k int) (time.Time, bool) { return next(i, k) })
			mu.Lock()
			lats = append(lats, local...)
			if err != nil && first == nil {
				first = err
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first != nil {
		return result{}, first
	}
	if len(lats) == 0 {
		return result{}, errors.New("no request completed")
	}
	slices.Sort(lats)
	return result{
		rps: float64(len(lats)) / elapsed.Seconds(),
		p50: lats[len(lats)*50/100],
		p99: lats[len(lats)*99/100],
	}, nil
}

// worker sends requests to t on one keep-alive connection when next says, until it says stop or
// a request fails, and returns the latencies.
func worker(t target, next func(k int) (time.Time, bool)) ([]time.Duration, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	req, _ := http.NewRequest(http.MethodGet, t.url, nil)
	if t.token != "" {
		req.Header.Set("Authorization", "Bearer "+t.token)
	}
	local := make([]time.Duration, 0, 4096)
	for k := 0; ; k++ {
		at, ok := next(k)
		if !ok {
			return local, nil
		}
		if wait := time.Until(at); wait > 0 {
			time.Sleep(wait)
		}
		resp, err := client.Do(req)
		if err != nil {
			return local, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return local, fmt.Errorf("status %d", resp.StatusCode)
		}
		local = append(local, time.Since(at))
	}
}

// startIssuer serves discovery and a one-key JWKS on loopback and returns a valid token for it.
func startIssuer(ctx context.Context) (issuer, token string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", err
	}
	ln, err := httpguard.Listen(0)
	if err != nil {
		return "", "", err
	}
	issuer = fmt.Sprintf("http://127.0.0.1:%d", httpguard.Port(ln))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "jwks_uri": issuer + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "bench", Algorithm: "RS256", Use: "sig"}}})
	})
	go func() { _ = httpguard.Serve(ctx, httpguard.NewServer(mux), ln) }()

	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": issuer, "sub": "bench|user", "aud": []string{"https://api.desklit.local"},
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "scope": "read:messages",
	})
	tok.Header["kid"] = "bench"
	token, err = tok.SignedString(key)
	return issuer, token, err
}

// startBare serves the baseline: a handler that writes a comparable JSON body and nothing else.
func startBare(ctx context.Context) (string, error) {
	ln, err := httpguard.Listen(0)
	if err != nil {
		return "", err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":"Hello from a SECURE endpoint! 2026-11-27T12:00:00Z","sub":"bench|user"}` + "\n"))
	})
	go func() { _ = httpguard.Serve(ctx, httpguard.NewServer(h), ln) }()
	return fmt.Sprintf("http://127.0.0.1:%d", httpguard.Port(ln)), nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
