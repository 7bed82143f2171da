package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
)

func cmdLogin(ctx context.Context, e *Env, args []string) error {
	var device bool
	cfg, paths, fs, err := parse(e, "login", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&device, "device", false, "sign in with a code on another device (RFC 8628): for SSH or a remote desktop, where the browser cannot reach this machine")
	})
	if err != nil {
		return err
	}
	if err := noArgs(e, fs); err != nil {
		return err
	}
	if err := cfg.RequireClientID(); err != nil {
		return err
	}
	store, st := openStore(ctx, cfg, paths)
	switch st.Backend {
	case keyringstore.BackendMemory:
		// The session would live in this process only: refuse before the user signs in for nothing.
		return fmt.Errorf("no system keyring is available (%s): a session signed in here would end with this command, "+
			"so no sign-in was started. Sign in from the Desklit window or 'desklit run' (they keep the session while they run), "+
			"or set DESKLIT_ALLOW_PLAINTEXT_SESSION=true to keep it in a 0600 file", st.Reason)
	case keyringstore.BackendFile:
		fmt.Fprintf(e.Stderr, "Warning: %s\n", st.Warning)
	}
	stop, err := ensureDevIdP(ctx, cfg, paths)
	if err != nil {
		return err
	}
	defer stop()
	var s *session.Session
	if device {
		s, err = deviceLogin(ctx, e, cfg)
	} else {
		s, err = browserLogin(ctx, e, cfg)
	}
	if err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := store.Save(sctx, s); err != nil {
		return fmt.Errorf("store the session: %w", err)
	}
	fmt.Fprintf(e.Stdout, "Signed in as %s. The access token expires at %s.\n", who(s.User), s.Expiry.Local().Format(time.DateTime))
	return nil
}

// browserLogin signs in with the system browser; when no answer comes (timeout, Ctrl-C) it
// names what usually went wrong, which the provider shows only on its own page.
func browserLogin(ctx context.Context, e *Env, cfg *config.Config) (*session.Session, error) {
	opener := printingOpener{inner: authflow.BrowserOpener{Getenv: e.Getenv}, w: e.Stdout, issuer: cfg.Issuer(), wait: authflow.DefaultTimeout}
	s, err := newFlow(cfg).Login(ctx, opener)
	if errors.Is(err, authflow.ErrTimeout) || errors.Is(err, authflow.ErrCancelled) {
		fmt.Fprint(e.Stderr, noAnswerHint(cfg))
	}
	return s, err
}

// noAnswerHint is printed when no redirect reached the callback.
func noAnswerHint(cfg *config.Config) string {
	return fmt.Sprintf(`No sign-in reached %[1]s. If the provider's page showed an error, the likely causes are:
  - the client id %[2]q (AUTH0_CLIENT_ID, from %[3]s) is not a client of %[4]s,
    or not a native (public) client allowed the authorization code grant with PKCE;
  - the redirect URI is not registered with that client: add exactly %[1]s
    (its port is DESKLIT_CALLBACK_PORT, from %[5]s);
  - the browser runs on another machine (SSH, remote desktop): use 'desklit login --device'.
`, cfg.CallbackURL(), cfg.ClientID, cfg.Sources["AUTH0_CLIENT_ID"], cfg.Issuer(), cfg.Sources["DESKLIT_CALLBACK_PORT"])
}

// deviceLogin signs in with the device authorization grant: it shows the code and the page to
// enter it on, and waits while the flow polls.
func deviceLogin(ctx context.Context, e *Env, cfg *config.Config) (*session.Session, error) {
	s, err := newFlow(cfg).DeviceLogin(ctx, func(c authflow.DeviceCode) { printDeviceCode(e.Stdout, c) })
	switch {
	case errors.Is(err, authflow.ErrDeviceExpired), errors.Is(err, authflow.ErrCancelled):
		fmt.Fprintf(e.Stderr, "No approval arrived. If the page refused the code, check that the client %q (AUTH0_CLIENT_ID, from %s) "+
			"is allowed the device code grant at %s; run 'desklit login --device' again for a new code.\n",
			cfg.ClientID, cfg.Sources["AUTH0_CLIENT_ID"], cfg.Issuer())
	case errors.Is(err, authflow.ErrNoDeviceEndpoint):
		fmt.Fprintln(e.Stderr, "Sign in with 'desklit login' (the browser) instead, or enable the device code grant at the provider.")
	}
	return s, err
}

func printDeviceCode(w io.Writer, c authflow.DeviceCode) {
	fmt.Fprintf(w, "To sign in, open this page on any device:\n  %s\nand enter the code:\n  %s\n", c.VerificationURI, c.UserCode)
	if c.VerificationURIComplete != "" {
		fmt.Fprintf(w, "Or open this page, which has the code filled in:\n  %s\n", c.VerificationURIComplete)
	}
	expires := ""
	if !c.Expiry.IsZero() {
		expires = "; the code expires at " + c.Expiry.Local().Format(time.TimeOnly)
	}
	fmt.Fprintf(w, "Waiting for the approval (asking every %s%s; Ctrl-C to stop)…\n", c.Interval, expires)
}

// printingOpener prints the authorize URL it opens (it holds no secret: state, nonce and the
// PKCE challenge only), for a terminal whose browser does not open, and what it waits for.
type printingOpener struct {
	inner  authflow.Opener
	w      io.Writer
	issuer string
	wait   time.Duration
}

func (p printingOpener) Open(ctx context.Context, raw string) (<-chan error, error) {
	redirect := "the callback"
	if u, err := url.Parse(raw); err == nil && u.Query().Get("redirect_uri") != "" {
		redirect = u.Query().Get("redirect_uri")
	}
	fmt.Fprintf(p.w, "Opening the sign-in page of %s in your browser (if none opens, visit it):\n  %s\n", p.issuer, raw)
	fmt.Fprintf(p.w, "Waiting up to %s for the provider to send the browser back to %s (Ctrl-C to stop)…\n", p.wait, redirect)
	return p.inner.Open(ctx, raw)
}
