// Package wiring turns the configuration into the options of the packages that do the work: the
// one place that says which setting goes where and where each one keeps its files. The shell and
// every command build their dev IdP, sign-in flow and session store through it, so that `desklit
// login` signs in exactly as the window does.
package wiring

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/devidp"
	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
)

// openTimeout bounds opening the session store: a locked keyring may never answer its probe.
const openTimeout = 5 * time.Second

// IdPDir is the embedded dev IdP's folder: its signing key, users.json and tokens.json.
func IdPDir(paths config.Paths) string { return filepath.Join(paths.Data, "idp") }

// IdPOptions are the embedded dev IdP's options; logger may be nil (slog's default).
func IdPOptions(cfg *config.Config, paths config.Paths, logger *slog.Logger) devidp.Options {
	return devidp.Options{
		Port:     cfg.IdPPort,
		DataDir:  IdPDir(paths),
		ClientID: cfg.ClientID,
		Audience: cfg.Audience,
		Logger:   logger,
	}
}

// FlowConfig is the sign-in flow's configuration: the issuer (the dev IdP's when none is set), the
// client, the audience, the scopes and the registered callback port; logger may be nil.
func FlowConfig(cfg *config.Config, logger *slog.Logger) authflow.Config {
	return authflow.Config{
		Issuer:       cfg.Issuer(),
		ClientID:     cfg.ClientID,
		Audience:     cfg.Audience,
		Scopes:       strings.Fields(cfg.Scope),
		CallbackPort: cfg.CallbackPort,
		Logger:       logger,
	}
}

// KeyringOptions are the session store's options: the OS keyring, else the 0600 file the user
// may have allowed (DESKLIT_ALLOW_PLAINTEXT_SESSION), else memory; logger may be nil.
func KeyringOptions(cfg *config.Config, paths config.Paths, logger *slog.Logger) keyringstore.Options {
	return keyringstore.Options{
		Service:        cfg.AppID,
		Logger:         logger,
		AllowPlaintext: cfg.AllowPlaintextSession,
		PlaintextFile:  filepath.Join(paths.Data, "session.json"),
	}
}

// OpenStore opens the session store with KeyringOptions, giving the keyring's probe openTimeout.
func OpenStore(ctx context.Context, cfg *config.Config, paths config.Paths, logger *slog.Logger) (session.Store, keyringstore.Status) {
	return openStore(ctx, KeyringOptions(cfg, paths, logger))
}

// Where the component server reads the session (DESKLIT_SESSION_SOURCE, which the shell sets):
// the keyring, when the shell keeps the session there, else the shell over the control channel.
const (
	SessionFromKeyring = "keyring"
	SessionFromShell   = "shell"
)

// SessionSource is where the component server reads the session, given where the shell keeps it.
func SessionSource(st keyringstore.Status) string {
	if st.Backend == keyringstore.BackendKeyring {
		return SessionFromKeyring
	}
	return SessionFromShell
}

// OpenKeyringReader opens the OS keyring for reading the session only, as the component server
// does (the shell is the one writer); an error when the keyring does not answer.
func OpenKeyringReader(ctx context.Context, cfg *config.Config) (*keyringstore.Reader, error) {
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	return keyringstore.OpenReader(ctx, keyringstore.Options{Service: cfg.AppID})
}

func openStore(ctx context.Context, o keyringstore.Options) (session.Store, keyringstore.Status) {
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	return keyringstore.Open(ctx, o)
}
