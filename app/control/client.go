package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/desklit/desklit/app/backoff"
	"github.com/desklit/desklit/app/httpjson"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/sse"
)

// sessionLimit bounds a session read.
const sessionLimit = 5 * time.Second

// Client is the component server's end of the control channel.
type Client struct {
	base  string
	token string
	http  *http.Client // no overall timeout: sign-in and event streams take as long as they take

	// Logger, when set, hears about the event stream's reconnects (never a token).
	Logger *slog.Logger
	// MinBackoff and MaxBackoff bound the wait between reconnects of the event stream.
	MinBackoff, MaxBackoff time.Duration
}

// NewClient returns a client for the control server at url that authenticates with token.
func NewClient(url, token string) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // loopback only, whatever HTTP_PROXY says
	return &Client{
		base: strings.TrimRight(url, "/"), token: token, http: &http.Client{Transport: tr},
		MinBackoff: 100 * time.Millisecond, MaxBackoff: 5 * time.Second,
	}
}

// Login asks the shell to sign in and waits until the sign-in ends.
func (c *Client) Login(ctx context.Context) error { return c.post(ctx, "/login") }

// Logout asks the shell to sign out.
func (c *Client) Logout(ctx context.Context) error { return c.post(ctx, "/logout") }

// Load returns the session that the shell holds (session.ErrNotFound when signed out), so that a
// Client serves as the component server's session source when the shell has no keyring.
func (c *Client) Load(ctx context.Context) (*session.Session, error) { return c.Session(ctx) }

// Session returns the session that the shell holds; session.ErrNotFound when signed out.
func (c *Client) Session(ctx context.Context) (*session.Session, error) {
	ctx, cancel := context.WithTimeout(ctx, sessionLimit)
	defer cancel()
	resp, err := c.do(ctx, http.MethodGet, "/session")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		var v session.View
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&v); err != nil {
			return nil, fmt.Errorf("control session: decode: %w", err)
		}
		return &session.Session{View: v}, nil
	case http.StatusNotFound:
		return nil, session.ErrNotFound
	default:
		return nil, answerError("session", resp)
	}
}

// Changes subscribes to the shell's session changes. The channel receives a value when the
// subscription (re)connects and after each change (coalesced: at most one is pending), and is
// closed when ctx ends. A broken stream is reopened with a growing, jittered backoff.
func (c *Client) Changes(ctx context.Context) <-chan struct{} {
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		bo := backoff.Backoff{Min: c.MinBackoff, Max: c.MaxBackoff}
		for {
			received, err := c.stream(ctx, out)
			if ctx.Err() != nil {
				return
			}
			if received {
				bo.Reset()
			}
			wait := bo.Next()
			if c.Logger != nil {
				c.Logger.Warn("control event stream lost; reconnecting", "err", err, "in", wait)
			}
			if bo.Sleep(ctx, wait) != nil {
				return
			}
		}
	}()
	return out
}

// stream reads one event stream; received reports whether any event arrived.
func (c *Client) stream(ctx context.Context, out chan<- struct{}) (received bool, err error) {
	resp, err := c.do(ctx, http.MethodGet, "/events")
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, answerError("events", resp)
	}
	stop := context.AfterFunc(ctx, func() { resp.Body.Close() })
	defer stop()
	err = sse.Read(ctx, resp.Body, func(ev sse.Event) error {
		if ev.Name != "changed" {
			return nil
		}
		received = true
		select {
		case out <- struct{}{}:
		default: // one is pending already; the reader will fetch the latest
		}
		return nil
	})
	return received, err
}

func (c *Client) post(ctx context.Context, path string) error {
	resp, err := c.do(ctx, http.MethodPost, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return answerError(strings.TrimPrefix(path, "/"), resp)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	return nil
}

func (c *Client) do(ctx context.Context, method, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return nil, fmt.Errorf("control %s: %w", strings.TrimPrefix(path, "/"), err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error names the URL, which holds no secret; the token is only in a header.
		return nil, fmt.Errorf("control %s: %w", strings.TrimPrefix(path, "/"), err)
	}
	return resp, nil
}

// AnswerError is a non-success answer of the control server.
type AnswerError struct {
	Op          string
	Status      int
	Code        string
	Description string
}

// UserMessage is the control server's own sentence for the failure (never Go's text: see
// failureMessage), for a caller that passes it on to the user.
func (e *AnswerError) UserMessage() string { return e.Description }

func (e *AnswerError) Error() string {
	if e.Description != "" {
		return fmt.Sprintf("control %s: %s (%d)", e.Op, e.Description, e.Status)
	}
	return fmt.Sprintf("control %s: status %d", e.Op, e.Status)
}

// ErrUnauthorized is wrapped by the errors of requests that the control server refused for
// their token.
var ErrUnauthorized = errors.New("control token refused")

func (e *AnswerError) Unwrap() error {
	if e.Status == http.StatusUnauthorized {
		return ErrUnauthorized
	}
	return nil
}

func answerError(op string, resp *http.Response) error {
	var body httpjson.Error
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
	return &AnswerError{Op: op, Status: resp.StatusCode, Code: body.Code, Description: body.Description}
}
