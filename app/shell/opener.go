package shell

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/desklit/desklit/app/project"
)

// The project opener: the rules of opening an app live here, once, and every caller asks them —
// the command line at launch (`desklit PATH`, `desklit run PATH`) and the window's File › Open
// App…, Open Recent and its buttons. The window only shows what they answer.
//
//   - OpenRule: a packaged app opens its own app and nothing else (OwnAppError).
//   - BeginOpen: one switch at a time (BusyError).
//   - nameFor: what an app is called while it opens, by the project's own naming rule.
//   - script (shell.go): which script runs and in which folder, chosen once per runtime.

// ErrSwitching matches (errors.Is) the refusal of a switch while another runs (a *BusyError).
var ErrSwitching = errors.New("another app is opening")

// BusyError refuses a switch while another one runs.
type BusyError struct {
	Opening string // the name of the app being opened
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("another app is opening (%s); wait until it runs", e.Opening)
}

func (e *BusyError) Is(target error) bool { return target == ErrSwitching }

// OwnAppError refuses to open another app in a packaged app.
type OwnAppError struct {
	App   string // the packaged app
	Asked string // what it was asked to open ("" = the demo)
}

func (e *OwnAppError) Error() string {
	if e.Asked == "" {
		return e.App + " opens its own app only (not the demo)"
	}
	return fmt.Sprintf("%s opens its own app only (not %s)", e.App, e.Asked)
}

// OpenRule says what a launch may open. Own is a packaged app's name: it opens its own app and
// nothing else; "" is Desklit itself, which opens any app.
type OpenRule struct{ Own string }

// Check refuses path ("" = the demo) when the rule does not allow it.
func (r OpenRule) Check(path string) error {
	if r.Own == "" {
		return nil
	}
	return &OwnAppError{App: r.Own, Asked: path}
}

// Rule is this launch's OpenRule.
func (s *Shell) Rule() OpenRule {
	if !s.o.Single {
		return OpenRule{}
	}
	return OpenRule{Own: appName(s.o.Project)}
}

// Opening is a switch the opener accepted: no other may begin until its Run returns.
type Opening struct {
	s       *Shell
	path    string
	p       *project.Project
	loadErr error // why the project could not be read: Run returns it
	// Name is what the app is called while it opens (nameFor).
	Name string
}

// BeginOpen asks to switch to the project at path ("" = the bundled demo). It is refused — with
// the error a user reads, before anything starts — in a packaged app (OwnAppError) and while
// another switch runs (BusyError). Otherwise the caller must call Run on the Opening.
func (s *Shell) BeginOpen(path string) (*Opening, error) {
	if err := s.Rule().Check(path); err != nil {
		return nil, err
	}
	o := &Opening{s: s, path: path}
	if path != "" {
		o.p, o.loadErr = project.Load(path)
	}
	o.Name = nameFor(s.o.Paths.State, path, o.p)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opening != "" {
		return nil, &BusyError{Opening: s.opening}
	}
	s.opening = o.Name
	return o, nil
}

// OpenProject switches to the project at path: BeginOpen, then Run.
func (s *Shell) OpenProject(ctx context.Context, path string) error {
	o, err := s.BeginOpen(path)
	if err != nil {
		return err
	}
	return o.Run(ctx)
}

// Run switches to the app: it builds or reuses its environment while the running app goes on,
// checks its script, then restarts only the Streamlit service on it. The session, the API and
// the component keep running. A failed or cancelled switch leaves the running app as it was.
func (o *Opening) Run(ctx context.Context) error {
	s, p := o.s, o.p
	defer func() {
		s.mu.Lock()
		s.opening = ""
		s.mu.Unlock()
	}()
	if o.loadErr != nil {
		return o.loadErr
	}
	if err := s.sameAuth(p); err != nil {
		return err
	}
	r, err := s.runtimeRequest(p)
	if err != nil {
		return err
	}
	rt, err := s.prepare(ctx, r)
	if err != nil {
		return err
	}
	if err := checkScript(ctx, rt.Env, p); err != nil {
		return err
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	err = s.sup.StopService(stopCtx, "streamlit")
	cancel()
	if err != nil {
		s.log.Warn("stop streamlit before the switch", "err", err)
	}
	s.mu.Lock()
	s.project, s.rt = p, rt
	s.mu.Unlock()
	s.log.Info("opening app", "name", appName(p), "path", o.path)
	s.remember(p)
	if err := s.switchServices(ctx); err != nil {
		return err
	}
	sp, err := s.streamlitSpec()
	if err != nil {
		return err
	}
	return s.sup.Start(ctx, sp)
}

// nameFor is what an app is called while it opens: the demo's name for "", the project's own
// name when it could be read (p), else its name in the recent list, else what the project's
// naming rule makes of the path.
func nameFor(stateDir, path string, p *project.Project) string {
	switch {
	case path == "":
		return DemoName
	case p != nil:
		return p.Name
	}
	abs, _ := filepath.Abs(path)
	for _, r := range project.ReadRecent(stateDir) {
		if (r.Path == path || r.Path == abs) && r.Name != "" {
			return r.Name
		}
	}
	return project.NameOf(path)
}
