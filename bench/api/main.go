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
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"time"

	"github.com/desklit/desklit/app/api"
	"github.com/desklit/desklit/app/httpguard"
	"github.com/desklit/desklit/bench/internal/loadgen"
	"github.com/desklit/desklit/bench/internal/measure"
)

func main() { measure.Main("bench/api", run) }

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench/api", flag.ContinueOnError)
	load := loadgen.AddFlags(fs, 64, 2000)
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
		runtime.GOMAXPROCS(0), load.Conns, load.Duration, load.Rounds)
	if err := loadgen.WarmUp(targets, load.Conns); err != nil { // connections, JWKS fetch
		return err
	}
	if err := closedLoop(out, targets, load.Conns, load.Duration, load.Rounds); err != nil {
		return err
	}
	return fixedRate(out, targets, load.Conns, load.Rate, load.Duration, load.Rounds)
}

// startTargets starts a test issuer, the protected API on it and a bare server answering the same
// route: the two targets, the API with a valid token.
func startTargets(ctx context.Context) ([]loadgen.Target, error) {
	issuerURL, token, err := loadgen.StartIssuer(ctx)
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
	return []loadgen.Target{
		{Name: "bare", URL: bareURL + "/api/pong"},
		{Name: "api", URL: srv.URL() + "/api/pong", Token: token},
	}, nil
}

// closedLoop measures each Target's throughput with conns busy connections, rounds alternating.
func closedLoop(out io.Writer, targets []loadgen.Target, conns int, duration time.Duration, rounds int) error {
	results := map[string][]loadgen.Result{}
	for r := range rounds {
		for _, t := range targets {
			res, err := loadgen.Closed(t, conns, duration)
			if err != nil {
				return fmt.Errorf("%s round %d: %w", t.Name, r+1, err)
			}
			results[t.Name] = append(results[t.Name], res)
			fmt.Fprintf(out, "round %d %-4s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms\n",
				r+1, t.Name, res.RPS, loadgen.Ms(res.P50), loadgen.Ms(res.P99))
		}
	}
	var ratios, apiRPS, bareRPS, p99s, p50s []float64
	for i := range rounds {
		b, a := results["bare"][i], results["api"][i]
		ratios = append(ratios, a.RPS/b.RPS)
		apiRPS = append(apiRPS, a.RPS)
		bareRPS = append(bareRPS, b.RPS)
		p99s = append(p99s, loadgen.Ms(a.P99))
		p50s = append(p50s, loadgen.Ms(a.P50))
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
func fixedRate(out io.Writer, targets []loadgen.Target, conns int, rate float64, duration time.Duration, rounds int) error {
	fixed := map[string][]float64{}
	for r := range rounds {
		for _, t := range targets {
			res, err := loadgen.AtRate(t, conns, rate, duration)
			if err != nil {
				return fmt.Errorf("%s fixed-rate round %d: %w", t.Name, r+1, err)
			}
			fixed[t.Name] = append(fixed[t.Name], loadgen.Ms(res.P99))
			fmt.Fprintf(out, "fixed %4.0f req/s round %d %-4s achieved %6.0f req/s  p50 %6.2f ms  p99 %6.2f ms\n",
				rate, r+1, t.Name, res.RPS, loadgen.Ms(res.P50), loadgen.Ms(res.P99))
		}
	}
	for _, t := range targets {
		p := fixed[t.Name]
		fmt.Fprintf(out, "fixed rate %.0f req/s: %-4s p99 median %.2f ms (min %.2f, max %.2f)   goal (api) <= 5 ms\n",
			rate, t.Name, measure.Median(p), slices.Min(p), slices.Max(p))
	}
	return nil
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
