// Package loadgen is the benches' HTTP load generator (closed loop, and a fixed rate without
// coordinated omission) and a loopback OIDC issuer with a valid access token, shared by bench/api
// and bench/guard.
package loadgen

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/desklit/desklit/app/httpguard"
)

// Audience is the audience of StartIssuer's token.
const Audience = "https://api.desklit.local"

// AtRate offers rate requests/s in total over conns connections for d. Worker i sends at
// start + i*gap + k*conns*gap; latency is measured from that scheduled instant.
func AtRate(t Target, conns int, rate float64, d time.Duration) (Result, error) {
	gap := time.Duration(float64(time.Second) / rate)
	start := time.Now().Add(10 * time.Millisecond)
	end := start.Add(d)
	return drive(t, conns, start, func(i, k int) (time.Time, bool) {
		at := start.Add(time.Duration(i)*gap + time.Duration(k*conns)*gap)
		return at, at.Before(end)
	})
}

// Target is what a load is sent to: a URL, with a bearer token when Token is set.
type Target struct{ Name, URL, Token string }

// Result is a load's throughput and latency percentiles.
type Result struct {
	RPS      float64
	P50, P99 time.Duration
}

// Closed runs conns closed-loop workers against t for d, each on its own keep-alive connection.
func Closed(t Target, conns int, d time.Duration) (Result, error) {
	deadline := time.Now().Add(d)
	return drive(t, conns, time.Now(), func(int, int) (time.Time, bool) {
		now := time.Now()
		return now, now.Before(deadline)
	})
}

// drive runs conns workers against t, each on its own keep-alive connection: worker i sends its
// k-th request at next(i, k) (ok false: it is done) and measures its latency from then; the rate
// counts from start.
func drive(t Target, conns int, start time.Time, next func(i, k int) (at time.Time, ok bool)) (Result, error) {
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
		return Result{}, first
	}
	if len(lats) == 0 {
		return Result{}, errors.New("no request completed")
	}
	slices.Sort(lats)
	return Result{
		RPS: float64(len(lats)) / elapsed.Seconds(),
		P50: lats[len(lats)*50/100],
		P99: lats[len(lats)*99/100],
	}, nil
}

// worker sends requests to t on one keep-alive connection when next says, until it says stop or
// a request fails, and returns the latencies.
func worker(t Target, next func(k int) (time.Time, bool)) ([]time.Duration, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	req, _ := http.NewRequest(http.MethodGet, t.URL, nil)
	if t.Token != "" {
		req.Header.Set("Authorization", "Bearer "+t.Token)
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

// StartIssuer serves discovery and a one-key JWKS on loopback and returns a valid token for it.
func StartIssuer(ctx context.Context) (issuer, token string, err error) {
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

// Ms is d in milliseconds.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
