package shell

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/stlogin"
)

// stLogin makes an app written for st.login sign in through Desklit, when the secrets files
// Streamlit reads (secretsFlags) give it an [auth] section: Desklit's secrets file, named last so
// that its [auth] wins, points Streamlit at the broker (package stlogin), which this starts on
// first need; and `python -m streamlit` becomes `python -m desklit_auth.stlogin`, which keeps
// st.user in step with Desklit's session (sign-out, refreshed tokens) and then runs Streamlit's
// own CLI with the same arguments. argv and env are returned unchanged for any other app.
func (s *Shell) stLogin(argv, env, secretsFlags []string) ([]string, []string, error) {
	flags, issuer, err := s.stLoginFlags(secretsFlags)
	if err != nil || flags == nil {
		return argv, env, err
	}
	argv = append(slices.Clone(argv), flags...)
	if i := slices.Index(argv, "-m"); i > 0 && i+1 < len(argv) && argv[i+1] == "streamlit" {
		argv[i+1] = "desklit_auth.stlogin"
	}
	return argv, append(env, "DESKLIT_STLOGIN_ISSUER="+issuer), nil
}

// stLoginFlags returns Desklit's --secrets.files flag and the broker's issuer, or nothing for an
// app without [auth].
func (s *Shell) stLoginFlags(secretsFlags []string) ([]string, string, error) {
	var files []string
	for i := 0; i+1 < len(secretsFlags); i += 2 {
		if secretsFlags[i] == "--secrets.files" {
			files = append(files, secretsFlags[i+1])
		}
	}
	app, err := stlogin.ReadAppAuth(files)
	if err != nil {
		return nil, "", fmt.Errorf("the app's secrets: %w", err)
	}
	// A packaged st.login app: its secrets.toml was left out, the package kept its shape. A
	// project cloned without its secrets.toml: its code names the providers it signs in with.
	if p := s.Project(); p != nil {
		shape, err := p.StLoginShape()
		if err != nil {
			return nil, "", fmt.Errorf("the app's use of st.login: %w", err)
		}
		switch {
		case shape == nil:
		case app == nil:
			s.log.Info("st.login: the app calls it and no secrets file has an [auth]: Desklit's sign-in serves it", "providers", shape.Providers)
			app = &stlogin.AppAuth{Providers: shape.Providers, ExposeTokens: shape.ExposeTokens}
		default:
			app.Providers = project.MergeProviders(app.Providers, shape.Providers)
		}
	}
	if app == nil {
		return nil, "", nil
	}
	b, err := s.stLoginBroker()
	if err != nil {
		return nil, "", err
	}
	b.SetRedirectURI(s.cfg.StreamlitURL() + "/oauth2callback")
	if !s.cfg.UsesDevIdP() {
		b.SetSignInHint(fmt.Sprintf("If the provider's page showed an error, check that %s is an allowed redirect (callback) URI of the client %s at %s",
			s.cfg.CallbackURL(), s.cfg.ClientID, s.cfg.Issuer()))
	}
	path, err := b.WriteSecrets(s.o.Paths.Run, app)
	if err != nil {
		return nil, "", fmt.Errorf("st.login: write Desklit's secrets file: %w", err)
	}
	return []string{"--secrets.files", path}, b.Issuer(), nil
}

// stLoginBroker returns the launch's broker, started on first use; it stops with the shell.
func (s *Shell) stLoginBroker() (*stlogin.Broker, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broker != nil {
		return s.broker, nil
	}
	sessions := func() stlogin.Sessions {
		if m := s.Sessions(); m != nil {
			return m
		}
		return nil
	}
	b, err := stlogin.New(sessions, s.cfg.StreamlitURL()+"/oauth2callback", s.log.With("component", "stlogin"))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	secrets := filepath.Join(s.o.Paths.Run, stlogin.SecretsFile)
	s.broker, s.brokerStop = b, func() {
		cancel()
		_ = os.Remove(secrets) // its client and cookie secrets die with the broker
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		if err := b.Serve(ctx); err != nil {
			s.log.Error("st.login broker stopped", "err", err)
		}
	}()
	return b, nil
}
