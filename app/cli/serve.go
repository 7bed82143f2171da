package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/desklit/desklit/app/api"
	"github.com/desklit/desklit/app/component"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/devidp"
	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/wiring"
)

func cmdServe(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 || args[0] == "" || args[0][0] == '-' {
		fmt.Fprintln(e.Stderr, "Usage: desklit serve api|component|idp [flags]")
		return &UsageError{Msg: "serve needs a service name: api, component or idp"}
	}
	name, rest := args[0], args[1:]
	cfg, paths, fs, err := parse(e, "serve "+name, rest, nil)
	if err != nil {
		return err
	}
	if err := noArgs(e, fs); err != nil {
		return err
	}
	logger := serviceLogger(e.Stderr).With("service", name)
	switch name {
	case "api":
		srv, err := api.New(api.Options{
			Port:           cfg.APIPort,
			Issuer:         cfg.Issuer(),
			Audience:       cfg.Audience,
			AllowedOrigins: origins(cfg.StreamlitPort, cfg.ComponentPort),
			Logger:         logger,
		})
		if err != nil {
			return err
		}
		return srv.Serve(ctx)
	case "component":
		return serveComponent(ctx, e, cfg, paths, logger)
	case "idp":
		if !cfg.UsesDevIdP() {
			return &UsageError{Msg: "an issuer is configured (AUTH0_ISSUER_BASE_URL); the embedded dev IdP is only used without one"}
		}
		srv, err := devidp.New(wiring.IdPOptions(cfg, paths, logger))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "dev IdP: %s\n", srv.Issuer())
		return srv.Serve(ctx)
	default:
		fmt.Fprintln(e.Stderr, "Usage: desklit serve api|component|idp [flags]")
		return &UsageError{Msg: fmt.Sprintf("unknown service %q (want api, component or idp)", name)}
	}
}

func origins(ports ...int) []string {
	var out []string
	for _, p := range ports {
		out = append(out, fmt.Sprintf("http://127.0.0.1:%d", p), fmt.Sprintf("http://localhost:%d", p))
	}
	return out
}

// serveComponent runs the component server. The shell hands it the per-launch secret and the
// control channel in its environment; run by hand, it needs them too.
func serveComponent(ctx context.Context, e *Env, cfg *config.Config, paths config.Paths, logger interface {
	Info(string, ...any)
}) error {
	secret := e.Getenv("DESKLIT_LAUNCH_SECRET")
	ctlURL, ctlToken := e.Getenv("DESKLIT_CONTROL_URL"), e.Getenv("DESKLIT_CONTROL_TOKEN")
	if secret == "" || ctlURL == "" || ctlToken == "" {
		return &UsageError{Msg: "the component server is started by the shell (desklit or desklit run): DESKLIT_LAUNCH_SECRET, DESKLIT_CONTROL_URL and DESKLIT_CONTROL_TOKEN are not set"}
	}
	if e.Assets.Component == nil {
		return errors.New("this binary carries no built component")
	}
	client := control.NewClient(ctlURL, ctlToken)
	var sessions component.SessionSource = client
	if e.Getenv("DESKLIT_SESSION_SOURCE") == wiring.SessionFromKeyring {
		// Read-only: the shell is the one writer of the keyring.
		if reader, err := wiring.OpenKeyringReader(ctx, cfg); err == nil {
			sessions = reader
		} else {
			logger.Info("keyring not readable; reading the session from the shell", "err", err)
		}
	}
	assets, err := fs.Sub(e.Assets.Component, ".")
	if err != nil {
		return err
	}
	srv, err := component.New(component.Options{
		Port:            cfg.ComponentPort,
		StreamlitOrigin: cfg.StreamlitURL(),
		LaunchSecret:    secret,
		Sessions:        sessions,
		SignIn:          client,
		Changes:         client.Changes(ctx),
		Assets:          assets,
		APIURL:          cfg.APIURL(),
		Logger:          serviceLogger(e.Stderr).With("service", "component"),
	})
	if err != nil {
		return err
	}
	logger.Info("listening", "url", srv.URL())
	return srv.Serve(ctx)
}

var _ session.Store = (*keyringstore.Store)(nil)
