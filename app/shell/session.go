package shell

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/devidp"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/app/wiring"
)

// StartSession opens the session store and starts the dev IdP, the session manager and the
// control channel; they live until Stop. Concurrent and later calls wait for the first one and
// share its result (a failed attempt may be retried).
func (s *Shell) StartSession() error {
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	if s.Sessions() != nil {
		return nil
	}
	bgctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	if err := s.startSession(bgctx); err != nil {
		cancel()
		s.bg.Wait()
		return err
	}
	return nil
}

// startSession opens the store, starts the dev IdP when it is the issuer, the session manager and
// the control channel the component server talks to.
func (s *Shell) startSession(ctx context.Context) error {
	store, st := wiring.OpenStore(ctx, s.cfg, s.o.Paths, s.log.With("component", "keyring"))
	if st.Warning != "" {
		s.log.Warn("session store", "backend", st.Backend, "warning", st.Warning)
	}
	if s.cfg.UsesDevIdP() {
		idp, err := devidp.New(wiring.IdPOptions(s.cfg, s.o.Paths, s.log.With("component", "idp")))
		if err != nil {
			return s.portError("idp", s.cfg.IdPPort, err)
		}
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			if err := idp.Serve(ctx); err != nil {
				s.log.Error("dev IdP stopped", "err", err)
			}
		}()
		s.mu.Lock()
		s.idp = idp
		s.mu.Unlock()
	}
	fc := wiring.FlowConfig(s.cfg, s.log.With("component", "signin"))
	if p := s.Project(); p != nil && p.Auth.ClientSecret != "" && p.Auth.ClientID == s.cfg.ClientID {
		fc.ClientSecret = p.Auth.ClientSecret // the project's st.login client is its issuer's
	}
	flow := authflow.New(fc)
	mgr := session.NewManager(store, flow.Bind(s.o.Opener), s.log.With("component", "session"), nil)
	mgr.Start(ctx)
	ctl, err := control.NewServer(controlSessions{mgr}, s.controlToken, s.log.With("component", "control"))
	if err != nil {
		return fmt.Errorf("control channel: %w", err)
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		if err := ctl.Serve(ctx); err != nil {
			s.log.Error("control channel stopped", "err", err)
		}
	}()
	s.mu.Lock()
	s.store, s.storeSt, s.sessions, s.ctl = store, st, mgr, ctl
	s.mu.Unlock()
	s.publishStatus(ctl)
	return nil
}

// portError turns a bind failure on a fixed port into the supervisor's named-holder error.
func (s *Shell) portError(service string, port int, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		if perr := supervisor.CheckPort(service, port); perr != nil {
			return perr
		}
	}
	return fmt.Errorf("%s: %w", service, err)
}

// Login signs in (through the configured opener) and stores the session.
func (s *Shell) Login(ctx context.Context) error {
	m := s.Sessions()
	if m == nil {
		return errors.New("the app is still starting")
	}
	return m.Login(ctx)
}

// Logout signs out.
func (s *Shell) Logout(ctx context.Context) error {
	m := s.Sessions()
	if m == nil {
		return errors.New("the app is still starting")
	}
	return m.Logout(ctx)
}
