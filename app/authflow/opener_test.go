package authflow

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/desklit/desklit/app/devidp"
)

// recorder records the callback address of a wrapped test browser.
type recorder struct {
	b   *testBrowser
	rec *string
}

func (r recorder) Open(ctx context.Context, u string) (<-chan error, error) {
	ch, err := r.b.Open(ctx, u)
	*r.rec = r.b.redirect()
	return ch, err
}

func TestSignInTimeoutClosesListener(t *testing.T) {
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	var redirect string
	idle := OpenerFunc(func(_ context.Context, raw string) (<-chan error, error) {
		u, _ := url.Parse(raw)
		redirect = u.Query().Get("redirect_uri")
		return nil, nil
	})
	_, err := flowFor(idp, Config{Logger: log, Timeout: 100 * time.Millisecond}).Login(context.Background(), idle)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want timeout", err)
	}
	assertClosed(t, redirect)
}

func TestWindowClosedIsCancelled(t *testing.T) {
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	var redirect string
	helper(t, "window-closes")
	win := ProcessWindowOpener{Exe: os.Args[0], Args: []string{"window"}}
	op := OpenerFunc(func(ctx context.Context, raw string) (<-chan error, error) {
		u, _ := url.Parse(raw)
		redirect = u.Query().Get("redirect_uri")
		return win.Open(ctx, raw)
	})
	_, err := flowFor(idp, Config{Logger: log}).Login(context.Background(), op)
	if !errors.Is(err, ErrCancelled) || err.Error() != "sign-in cancelled: the sign-in window was closed" {
		t.Fatalf("err = %v, want cancelled", err)
	}
	assertClosed(t, redirect)
}

// TestWindowKilledOnCompletion: the window process is ended when the sign-in completes, and it
// got the URL through the environment, not argv.
func TestWindowKilledOnCompletion(t *testing.T) {
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	// The "window" writes its URL to a file and waits; the test plays the user in a browser.
	dir := helper(t, "window-stays")
	win := ProcessWindowOpener{Exe: os.Args[0], Args: []string{"window"}}
	b := newBrowser("analyst", "desklit")
	var closed <-chan error
	op := OpenerFunc(func(ctx context.Context, raw string) (<-chan error, error) {
		ch, err := win.Open(ctx, raw)
		closed = ch
		if err == nil {
			waitForFile(t, filepath.Join(dir, "url")) // the window is up
			_, _ = b.Open(ctx, raw)
		}
		return ch, err
	})
	if _, err := flowFor(idp, Config{Logger: log}).Login(context.Background(), op); err != nil {
		t.Fatal(err)
	}
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("window process still running after the sign-in")
	}
	b.wait(t)
	got, err := os.ReadFile(filepath.Join(dir, "url"))
	if err != nil || !strings.HasPrefix(string(got), idp.Issuer()+"/authorize?") {
		t.Errorf("window got URL %q (%v) from $%s", got, err, SignInURLEnv)
	}
	if argv, _ := os.ReadFile(filepath.Join(dir, "argv")); strings.Contains(string(argv), "http") {
		t.Errorf("URL on the window's command line: %q", argv)
	}
}

// TestConcurrentLoginsAreSerialised: when a sign-in shows its page, every earlier sign-in has
// finished and closed its callback listener.
func TestConcurrentLoginsAreSerialised(t *testing.T) {
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	flow := flowFor(idp, Config{Logger: log})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	var mu sync.Mutex
	var earlier []string // callback hosts of sign-ins that showed their page
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBrowser("analyst", "desklit")
			op := OpenerFunc(func(ctx context.Context, raw string) (<-chan error, error) {
				u, _ := url.Parse(raw)
				cb, _ := url.Parse(u.Query().Get("redirect_uri"))
				mu.Lock()
				for _, h := range earlier {
					if h == cb.Host {
						continue // the port was reused, so that listener is gone
					}
					if c, err := net.DialTimeout("tcp", h, time.Second); err == nil {
						c.Close()
						t.Errorf("sign-in on %s still running while another starts", h)
					}
				}
				earlier = append(earlier, cb.Host)
				mu.Unlock()
				return b.Open(ctx, raw)
			})
			_, err := flow.Login(context.Background(), op)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if len(earlier) != 3 {
		t.Errorf("%d sign-ins ran", len(earlier))
	}
}

func TestBrowserOpenerHonoursBROWSER(t *testing.T) {
	out := filepath.Join(helper(t, "browser"), "opened")
	// A list of two: the first does not exist; the second is this test binary, its path quoted.
	env := filepath.FromSlash("/nonexistent-browser") + string(os.PathListSeparator) + `"` + os.Args[0] + `" %s`
	b := BrowserOpener{Getenv: func(string) string { return env }}
	if _, err := b.Open(context.Background(), "http://127.0.0.1:1/authorize"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(out)
		if err == nil {
			if string(b) != "http://127.0.0.1:1/authorize" {
				t.Errorf("browser got %q", b)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the $BROWSER command never ran")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBrowserOpenerReportsFailure(t *testing.T) {
	b := BrowserOpener{Getenv: func(string) string { return "/nonexistent-browser" }, GOOS: "plan-none"}
	// An empty PATH: the fallback xdg-open cannot be found either, installed or not.
	t.Setenv("PATH", t.TempDir())
	if _, err := b.Open(context.Background(), "http://127.0.0.1:1/"); err == nil || !strings.Contains(err.Error(), "BROWSER") {
		t.Errorf("err = %v", err)
	}
}

func waitForFile(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	t.Errorf("%s never appeared", path)
}
