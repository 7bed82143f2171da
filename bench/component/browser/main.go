// Command browser measures the component in a real browser: Debian's Chromium (headless) loads
// a page that plays Streamlit's part of the components-v1 protocol and frames the built
// component served by the component server. For each of -n changes the page asks the harness's
// shell to publish a new session and times until the component's onStatusUpdate for it arrives
// (shell publish -> control channel -> component server -> EventSource -> /api/session ->
// setComponentValue). It also checks the pages opened without or with a wrong launch token.
//
//	go -C bench run ./component/browser [-n 100] [-dist ../runtime/component/dist] [-screenshot out.png]
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/desklit/desklit/app/component"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/control/controltest"
	"github.com/desklit/desklit/app/httpguard"
	"github.com/desklit/desklit/app/session"
)

//go:embed page.html
var page string

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/component/browser:", err)
		os.Exit(1)
	}
}

type result struct {
	Mode      string            `json:"mode"`
	Error     string            `json:"error"`
	First     json.RawMessage   `json:"first"`
	Durations []float64         `json:"durations"`
	Heights   []any             `json:"heights"`
	Extra     map[string]string `json:"-"`
}

// The bench's fixed secrets: the control channel's token and the page's launch secret.
const ctlToken, secret = "bench-control-token-0123456789", "bench-launch-secret-0123456789"

func run() error {
	n := flag.Int("n", 100, "measured session changes (at least 50)")
	dist := flag.String("dist", "../runtime/component/dist", "the built component")
	browser := flag.String("chromium", "chromium", "the Chromium binary")
	shot := flag.String("screenshot", "", "also write screenshots of the signed-in component (light and dark) to this PNG path prefix")
	flag.Parse()
	if *n < 50 {
		return errors.New("-n must be at least 50")
	}
	if _, err := os.Stat(filepath.Join(*dist, "index.html")); err != nil {
		return fmt.Errorf("build the component first (cd runtime/component && npm ci && npm run build): %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Each launch gets a fresh profile, so that a previous instance's leftovers never interfere.
	tmp, err := os.MkdirTemp("", "desklit-bench-chromium-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	b := &bench{ctx: ctx, browser: *browser, profiles: tmp, results: make(chan result, 1), ready: make(chan struct{}, 1)}
	if err := b.serve(*dist); err != nil {
		return err
	}
	if err := b.checkLaunchTokens(); err != nil {
		return err
	}
	if err := b.measure(*n); err != nil {
		return err
	}
	if *shot != "" {
		return b.screenshots(*shot)
	}
	return nil
}

// bench is a Chromium page that plays Streamlit around the real component, the component server
// and the control channel, on a session the bench publishes.
type bench struct {
	ctx        context.Context
	browser    string
	profiles   string // Chromium's profiles, one per launch
	launches   int
	hostOrigin string
	sh         *controltest.Sessions
	results    chan result   // what the page posts
	ready      chan struct{} // the page reports the component signed in and sized
}

// serve starts the control channel, the component server and the host page.
func (b *bench) serve(dist string) error {
	hostLn, err := httpguard.Listen(0)
	if err != nil {
		return err
	}
	b.hostOrigin = fmt.Sprintf("http://127.0.0.1:%d", httpguard.Port(hostLn))
	// A shell that keeps the session in memory; Login signs Ada in.
	b.sh = &controltest.Sessions{LoginAs: &session.Session{
		View: session.View{
			User:        session.User{Sub: "auth0|ada", Name: "Ada Analyst", Email: "ada@example.test"},
			AccessToken: "bench-at",
			IDToken:     "bench-idt",
			Expiry:      time.Now().Add(42 * time.Minute),
		},
	}}
	ctl, err := control.NewServer(b.sh, ctlToken, nil)
	if err != nil {
		return err
	}
	client := control.NewClient(ctl.URL(), ctlToken)
	srv, err := component.New(component.Options{
		StreamlitOrigin: b.hostOrigin, LaunchSecret: secret, Sessions: client, SignIn: client,
		Changes: client.Changes(b.ctx), Assets: os.DirFS(dist), APIURL: "http://127.0.0.1:8888",
	})
	if err != nil {
		return err
	}
	go func() { _ = ctl.Serve(b.ctx) }()
	go func() { _ = srv.Serve(b.ctx) }()
	go func() { _ = httpguard.Serve(b.ctx, httpguard.NewServer(b.hostRoutes(srv.URL())), hostLn) }()
	return nil
}

// hostRoutes serve the page that plays Streamlit and what it calls back.
func (b *bench) hostRoutes(componentURL string) http.Handler {
	mux := http.NewServeMux()
	// A screenshot is taken at the load event: in "shot" mode the page holds it back with an
	// image that loads only once the page reports the component signed in and sized.
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		html := strings.Replace(page, "COMPONENT_URL", fmt.Sprintf("%q", componentURL), 1)
		if r.URL.Query().Get("mode") == "shot" {
			html = strings.Replace(html, "</body>", `<img src="/hold" alt="" width="1" height="1"></body>`, 1)
		}
		_, _ = io.WriteString(w, html)
	})
	mux.HandleFunc("GET /hold", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-b.ready:
		case <-r.Context().Done():
		case <-time.After(20 * time.Second):
		}
		w.Header().Set("Content-Type", "image/gif")
		_, _ = w.Write([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) {
		select {
		case b.ready <- struct{}{}:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /publish", func(w http.ResponseWriter, r *http.Request) {
		b.publish("user-" + r.URL.Query().Get("i"))
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /results", func(w http.ResponseWriter, r *http.Request) {
		var res result
		_ = json.NewDecoder(r.Body).Decode(&res)
		select {
		case b.results <- res:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// publish makes a session for sub the shell's (as a sign-in or a refresh would).
func (b *bench) publish(sub string) {
	b.sh.Set(&session.Session{
		View: session.View{
			User:        session.User{Sub: sub, Name: "Ada Analyst", Email: "ada@example.test"},
			AccessToken: "bench-at-" + sub,
			IDToken:     "bench-idt",
			Expiry:      time.Now().Add(42*time.Minute + 17*time.Second),
		},
	})
}

func (b *bench) profile() string {
	b.launches++
	return "--user-data-dir=" + filepath.Join(b.profiles, fmt.Sprint(b.launches))
}

// open loads the host page with query in a headless Chromium, signed out, and waits for its
// result.
func (b *bench) open(query url.Values, extra ...string) (result, error) {
	b.sh.Set(nil)
	args := append([]string{"--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--no-default-browser-check", b.profile()}, extra...)
	args = append(args, b.hostOrigin+"/?"+query.Encode())
	cmd := exec.CommandContext(b.ctx, b.browser, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return result{}, fmt.Errorf("start chromium: %w", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	select {
	case res := <-b.results:
		if res.Error != "" {
			return res, fmt.Errorf("page (%s): %s", res.Mode, res.Error)
		}
		return res, nil
	case <-time.After(120 * time.Second):
		return result{}, errors.New("no result from the page in 120s")
	}
}

// checkLaunchTokens: pages without the launch secret, or with a wrong one, never see the session.
func (b *bench) checkLaunchTokens() error {
	for _, c := range []struct{ name, token, want string }{
		{"no launch token", "", "missing_launch_token"},
		{"wrong launch token", "wrong-launch-secret-0123456789", "launch_token_refused"},
	} {
		b.sh.Login(b.ctx)
		res, err := b.open(url.Values{"mode": {"check"}, "token": {c.token}})
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if !strings.Contains(string(res.First), c.want) || strings.Contains(string(res.First), "bench-at") {
			return fmt.Errorf("%s: first event %s, want an onError %s", c.name, res.First, c.want)
		}
		fmt.Printf("check %-20s first event: %s\n", c.name, res.First)
	}
	return nil
}

// measure times n session changes from the shell's publish to onStatusUpdate in the page.
func (b *bench) measure(n int) error {
	res, err := b.open(url.Values{"mode": {"bench"}, "n": {fmt.Sprint(n)}, "token": {secret}})
	if err != nil {
		return err
	}
	fmt.Printf("check %-20s first event: %s\n", "signed out", res.First)
	d := slices.Clone(res.Durations)
	slices.Sort(d)
	q := func(p float64) float64 { return d[min(len(d)-1, int(p*float64(len(d)-1)+0.5))] }
	fmt.Printf("Chromium %s, %d changes (after 5 warm-up): shell publish -> onStatusUpdate in the page\n", version(b.browser), len(d))
	fmt.Printf("  median %.2f ms  p95 %.2f ms  min %.2f ms  max %.2f ms\n", q(0.5), q(0.95), d[0], d[len(d)-1])
	return nil
}

// screenshots write the signed-in component, light and dark, to <prefix>-light.png and -dark.png.
func (b *bench) screenshots(prefix string) error {
	for _, theme := range []string{"light", "dark"} {
		path := fmt.Sprintf("%s-%s.png", strings.TrimSuffix(prefix, ".png"), theme)
		abs, _ := filepath.Abs(path)
		res, err := b.open(url.Values{"mode": {"view"}, "token": {secret}, "theme": {theme}})
		if err != nil {
			return err
		}
		fmt.Printf("frame heights reported (%s): %v\n", theme, res.Heights)
		// The session is still published: a screenshot run shows the signed-in component.
		b.sh.Set(&session.Session{
			View: session.View{
				User:        session.User{Sub: "user-view", Name: "Ada Analyst", Email: "ada@example.test"},
				AccessToken: "x",
				IDToken:     "y",
				Expiry:      time.Now().Add(42*time.Minute + 17*time.Second),
			},
		})
		sctx, scancel := context.WithTimeout(b.ctx, 60*time.Second)
		cmd := exec.CommandContext(sctx, b.browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
			b.profile(), "--window-size=760,140", "--timeout=5000",
			"--screenshot="+abs, b.hostOrigin+"/?"+url.Values{"mode": {"shot"}, "token": {secret}, "theme": {theme}}.Encode())
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		err = cmd.Run()
		scancel()
		if err != nil {
			return fmt.Errorf("screenshot: %w", err)
		}
		fmt.Println("screenshot:", abs)
	}
	return nil
}

func version(browser string) string {
	out, err := exec.Command(browser, "--version").Output()
	if err != nil {
		return "(unknown version)"
	}
	return strings.TrimSpace(string(out))
}
