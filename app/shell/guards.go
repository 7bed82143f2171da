package shell

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/desklit/desklit/app/api"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/supervisor"
)

// guardRun is a guard serving in this process, in front of one service.
type guardRun struct {
	public, private int
	secret          string
	cancel          context.CancelFunc
	done            chan struct{}
}

// ensureGuard serves ps's guard unless it already serves on the same ports.
func (s *Shell) ensureGuard(ps plannedService) error {
	s.mu.Lock()
	old := s.guards[ps.sv.Name]
	s.mu.Unlock()
	if old != nil && old.public == ps.public && old.private == ps.private && old.secret == ps.secret {
		return nil
	}
	s.stopGuard(ps.sv.Name)
	rules := make([]api.ScopeRule, len(ps.sv.Scopes))
	for i, r := range ps.sv.Scopes {
		rules[i] = api.ScopeRule{Pattern: r.Pattern, Scope: r.Scope}
	}
	// Refusals and upstream errors are logged; one line per request would drown the launch's log.
	logger := slog.New(minLevel{slog.LevelWarn, s.log.Handler()}).With("component", "guard", "service", ps.sv.Name)
	g, err := api.NewGuard(api.GuardOptions{
		Options: api.Options{Port: ps.public, Issuer: s.cfg.Issuer(), Audience: s.cfg.Audience,
			AllowedOrigins: loopbackOrigins(s.cfg.StreamlitPort, s.cfg.ComponentPort), Logger: logger},
		Name: ps.sv.Name, Upstream: fmt.Sprintf("http://127.0.0.1:%d", ps.private),
		Public: ps.sv.Public, Scopes: rules, Secret: ps.secret,
	})
	if err != nil {
		err = s.portError(ps.sv.Name, ps.public, err)
		var pe *supervisor.PortInUseError
		if errors.As(err, &pe) && ps.sv.Port != 0 {
			return fmt.Errorf("%w (the port of [services.%s], %s)", err, ps.sv.Name, ps.sv.Where("port"))
		}
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &guardRun{public: ps.public, private: ps.private, secret: ps.secret, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(run.done)
		if err := g.Serve(ctx); err != nil {
			s.log.Error("guard stopped", "service", ps.sv.Name, "err", err)
		}
	}()
	s.mu.Lock()
	if s.guards == nil {
		s.guards = map[string]*guardRun{}
	}
	s.guards[ps.sv.Name] = run
	s.mu.Unlock()
	return nil
}

// stopGuard stops the guard of the named service, if one serves.
func (s *Shell) stopGuard(name string) {
	s.mu.Lock()
	run := s.guards[name]
	delete(s.guards, name)
	s.mu.Unlock()
	if run != nil {
		run.cancel()
		select {
		case <-run.done:
		case <-time.After(5 * time.Second):
			s.log.Warn("guard did not stop in time", "service", name)
		}
	}
}

// startProjectServices starts the running project's services that do not run yet (running:
// those up from an earlier attempt), each behind its guard when it has protect = "bearer".
func (s *Shell) startProjectServices(ctx context.Context, running map[string]bool) error {
	set, err := s.servicePlan(s.Project())
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.svcRunning = set
	s.mu.Unlock()
	var specs []supervisor.Spec
	for _, ps := range set.list {
		if ps.sv.Protect == project.ProtectBearer {
			if err := s.ensureGuard(ps); err != nil {
				return err
			}
		}
		if running[ps.sv.Name] {
			continue
		}
		sp, err := s.serviceSpec(ctx, set, ps)
		if errors.Is(err, errLeftOut) {
			s.log.Warn("a service of the Compose file that Desklit does not run: start it yourself if the app needs it",
				"service", ps.sv.Name, "file", ps.sv.File, "why", err.Error())
			continue
		}
		if err != nil {
			return err
		}
		specs = append(specs, sp)
	}
	if len(specs) == 0 {
		return nil
	}
	if err := s.sup.Start(ctx, specs...); err != nil {
		return s.serviceError(set, err)
	}
	return nil
}

// ServiceError is a project's own service that did not start: its name, where desklit.toml
// declares it, and the supervisor's words (the health check's timeout and the service's last
// log lines, or the program holding its port).
type ServiceError struct {
	Name  string
	Where string // "desklit.toml line N"
	Err   error
}

func (e *ServiceError) Error() string {
	return fmt.Sprintf("the app's service %s (%s) did not start: %v", e.Name, e.Where, e.Err)
}

func (e *ServiceError) Unwrap() error { return e.Err }

// serviceError names the first of set's services that failed to start.
func (s *Shell) serviceError(set *serviceSet, err error) error {
	failed := map[string]bool{}
	for _, st := range s.sup.Snapshot() {
		failed[st.Name] = st.State == supervisor.Failed
	}
	for _, ps := range set.list {
		if failed[ps.sv.Name] {
			return &ServiceError{Name: ps.sv.Name, Where: ps.sv.Where(""), Err: err}
		}
	}
	if len(set.list) == 1 {
		return &ServiceError{Name: set.list[0].sv.Name, Where: set.list[0].sv.Where(""), Err: err}
	}
	return err
}

// stopProjectServices stops the services of the project that ran until now, and their guards.
func (s *Shell) stopProjectServices(ctx context.Context) {
	s.mu.Lock()
	set := s.svcRunning
	s.svcRunning = nil
	s.mu.Unlock()
	if set == nil {
		return
	}
	for _, ps := range set.list {
		s.stopGuard(ps.sv.Name)
		if err := s.sup.StopService(ctx, ps.sv.Name); err != nil {
			s.log.Warn("stop a service of the app", "service", ps.sv.Name, "err", err)
		}
	}
}

// stopGuards stops every guard (at Stop).
func (s *Shell) stopGuards() {
	s.mu.Lock()
	var names []string
	for name := range s.guards {
		names = append(names, name)
	}
	s.mu.Unlock()
	for _, name := range names {
		s.stopGuard(name)
	}
}

func loopbackOrigins(ports ...int) []string {
	var out []string
	for _, p := range ports {
		out = append(out, fmt.Sprintf("http://127.0.0.1:%d", p), fmt.Sprintf("http://localhost:%d", p))
	}
	return out
}

// minLevel is a handler that drops records below its level.
type minLevel struct {
	min slog.Level
	slog.Handler
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.min, h.Handler.WithAttrs(a)}
}
func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.min, h.Handler.WithGroup(n)} }
