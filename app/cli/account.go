package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/devidp"
	"github.com/desklit/desklit/app/issuer"
	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/wiring"
)

// openStore opens the keyring (or says why not and falls back as the shell does).
func openStore(ctx context.Context, cfg *config.Config, paths config.Paths) (session.Store, keyringstore.Status) {
	return wiring.OpenStore(ctx, cfg, paths, nil)
}

func newFlow(cfg *config.Config) *authflow.Flow { return authflow.New(wiring.FlowConfig(cfg, nil)) }

// ensureDevIdP starts the embedded provider in this process when it is the issuer and no running
// Desklit already serves it. The returned stop function is a no-op when nothing was started.
func ensureDevIdP(ctx context.Context, cfg *config.Config, paths config.Paths) (func(), error) {
	if !cfg.UsesDevIdP() || issuerUp(ctx, cfg.Issuer()) {
		return func() {}, nil
	}
	srv, err := devidp.New(wiring.IdPOptions(cfg, paths, nil))
	if err != nil {
		return nil, fmt.Errorf("start the embedded dev IdP: %w", err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(sctx) }()
	return func() { cancel(); <-done }, nil
}

// issuerUp reports whether the issuer answers its discovery document.
func issuerUp(ctx context.Context, iss string) bool {
	return healthy(ctx, issuer.DiscoveryURL(iss))
}

func cmdLogout(ctx context.Context, e *Env, args []string) error {
	cfg, paths, fs, err := parse(e, "logout", args, nil)
	if err != nil {
		return err
	}
	if err := noArgs(e, fs); err != nil {
		return err
	}
	store, _ := openStore(ctx, cfg, paths)
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := store.Load(lctx)
	if errors.Is(err, session.ErrNotFound) {
		fmt.Fprintln(e.Stdout, "Not signed in.")
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the session: %w", err)
	}
	if err := store.Delete(lctx); err != nil {
		return fmt.Errorf("delete the session: %w", err)
	}
	stop, err := ensureDevIdP(ctx, cfg, paths)
	if err == nil {
		defer stop()
		if err := newFlow(cfg).Logout(lctx, s); err != nil {
			fmt.Fprintf(e.Stderr, "Signed out here, but the provider could not be told: %v\n", err)
			return nil
		}
	}
	fmt.Fprintf(e.Stdout, "Signed out %s.\n", who(s.User))
	return nil
}

func who(u session.User) string {
	switch {
	case u.Name != "" && u.Email != "":
		return fmt.Sprintf("%s <%s>", u.Name, u.Email)
	case u.Name != "":
		return u.Name
	case u.Email != "":
		return u.Email
	}
	return u.Sub
}

func cmdStatus(ctx context.Context, e *Env, args []string) error {
	cfg, paths, fs, err := parse(e, "status", args, nil)
	if err != nil {
		return err
	}
	if err := noArgs(e, fs); err != nil {
		return err
	}
	if !printInstance(ctx, e, paths) {
		fmt.Fprintln(e.Stdout, "Services:")
		for _, s := range []struct {
			name, url string
			health    []string // the first that answers: a Streamlit before 1.18 has /healthz
		}{
			{"streamlit", cfg.StreamlitURL(), []string{"/_stcore/health", "/healthz"}},
			{"component", cfg.ComponentURL(), []string{"/healthz"}},
			{"api", cfg.APIURL(), []string{"/healthz"}},
		} {
			state := "not running"
			if slices.ContainsFunc(s.health, func(h string) bool { return healthy(ctx, s.url+h) }) {
				state = "ready"
			}
			fmt.Fprintf(e.Stdout, "  %-10s %-12s %s\n", s.name, state, s.url)
		}
	}
	if cfg.UsesDevIdP() {
		state := "not running"
		if issuerUp(ctx, cfg.Issuer()) {
			state = "ready"
		}
		fmt.Fprintf(e.Stdout, "  %-10s %-12s %s\n", "dev IdP", state, cfg.Issuer())
	}
	store, st := openStore(ctx, cfg, paths)
	fmt.Fprintln(e.Stdout, "\nSession:")
	if st.Backend != "keyring" {
		fmt.Fprintf(e.Stdout, "  %s\n", st.Warning)
	}
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := store.Load(lctx)
	switch {
	case errors.Is(err, session.ErrNotFound):
		fmt.Fprintln(e.Stdout, "  not signed in")
	case err != nil:
		fmt.Fprintf(e.Stdout, "  unknown: %v\n", err)
	default:
		fmt.Fprintf(e.Stdout, "  signed in as %s (sub %s)\n", who(s.User), s.User.Sub)
		fmt.Fprintf(e.Stdout, "  issuer       %s\n", s.Issuer)
		state := "valid until"
		if s.Expired(time.Now()) {
			state = "expired at"
		}
		fmt.Fprintf(e.Stdout, "  access token %s %s\n", state, s.Expiry.Local().Format(time.DateTime))
		if s.RefreshToken != "" {
			fmt.Fprintln(e.Stdout, "  refresh      available (the app renews the token ahead of expiry)")
		}
	}
	return nil
}

// printInstance shows the services as the running Desklit reports them (through the endpoint
// file in the run directory): their states, restarts, last exit and the breaker, which the
// health URLs cannot tell during a crash loop. It reports false when no instance answers.
func printInstance(ctx context.Context, e *Env, paths config.Paths) bool {
	ep, err := control.ReadEndpoint(paths.Run)
	if err != nil {
		if !errors.Is(err, control.ErrNoEndpoint) {
			fmt.Fprintf(e.Stderr, "Warning: %v\n", err)
		}
		return false
	}
	st, err := control.FetchStatus(ctx, ep)
	if err != nil {
		// A file left by a Desklit that was killed names a port nobody answers on: say nothing.
		var ae *control.AnswerError
		if errors.As(err, &ae) {
			fmt.Fprintf(e.Stderr, "Warning: the running Desklit did not report its services: %v\n", err)
		}
		return false
	}
	fmt.Fprintf(e.Stdout, "Services (Desklit pid %d):\n", st.PID)
	for _, s := range st.Services {
		where := s.URL
		if s.PID > 0 {
			where += fmt.Sprintf(" (pid %d)", s.PID)
		}
		fmt.Fprintln(e.Stdout, strings.TrimRight(fmt.Sprintf("  %-10s %-12s %s", s.Name, s.State, where), " "))
		var facts []string
		if s.Restarts > 0 || s.Crashes > 0 {
			facts = append(facts, fmt.Sprintf("restarts %d", s.Restarts),
				fmt.Sprintf("crashes %d of %d within %s", s.Crashes, s.MaxCrashes, time.Duration(s.WindowMS)*time.Millisecond))
		}
		if s.ExitStatus != "" {
			facts = append(facts, "last exit: "+s.ExitStatus)
		}
		if s.RetryInMS > 0 {
			facts = append(facts, fmt.Sprintf("retry in %s", time.Duration(s.RetryInMS)*time.Millisecond))
		}
		if s.CPUHigh {
			facts = append(facts, fmt.Sprintf("CPU high (%.0f %%)", s.CPUPercent))
		}
		if len(facts) > 0 {
			fmt.Fprintf(e.Stdout, "  %-10s %s\n", "", strings.Join(facts, ", "))
		}
		if s.Reason != "" && s.State != "Ready" {
			fmt.Fprintf(e.Stdout, "  %-10s %s\n", "", s.Reason)
		}
	}
	return true
}

func healthy(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode < 300
}
