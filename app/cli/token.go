package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/control"
	"github.com/desklit/desklit/app/issuer"
	"github.com/desklit/desklit/app/keyringstore"
	"github.com/desklit/desklit/app/session"
)

// tokenMargin: a token that expires sooner is refreshed before it is printed, so that a script's
// next request does not fail on it.
const tokenMargin = 60 * time.Second

// NotSignedInError: there is no session to take a token from (exit status 1).
type NotSignedInError struct{ Why string }

func (e *NotSignedInError) Error() string {
	return "not signed in: " + e.Why + "; sign in with 'desklit login' (or 'desklit login --device')"
}

// cmdToken prints the current access token (or with --id the ID token) for scripts:
// curl -H "Authorization: Bearer $(desklit token)". Nothing else goes to stdout, and the token
// goes nowhere else (no log).
func cmdToken(ctx context.Context, e *Env, args []string) error {
	var idToken bool
	cfg, paths, fs, err := parse(e, "token", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&idToken, "id", false, "print the ID token instead of the access token")
	})
	if err != nil {
		return err
	}
	if err := noArgs(e, fs); err != nil {
		return err
	}
	store, st := openStore(ctx, cfg, paths)
	if st.Backend == keyringstore.BackendMemory {
		return &NotSignedInError{Why: "no system keyring is available (" + st.Reason + "), so no session can be read here"}
	}
	s, err := freshSession(ctx, e, cfg, paths, store)
	if err != nil {
		return err
	}
	tok := s.AccessToken
	if idToken {
		tok = s.IDToken
	}
	if tok == "" {
		return errors.New("the session holds no such token; sign in again with 'desklit login'")
	}
	fmt.Fprintln(e.Stdout, tok)
	return nil
}

// freshSession loads the session and, when its access token expires within tokenMargin,
// refreshes it first: through the running Desklit when one answers (its session manager is the
// only refresher while it runs: refresh-token rotation punishes two), else here, one `desklit
// token` at a time (refreshLock), storing the rotated tokens at once.
func freshSession(ctx context.Context, e *Env, cfg *config.Config, paths config.Paths, store session.Store) (*session.Session, error) {
	s, err := loadSession(ctx, store)
	if err != nil || !expiring(s) {
		return s, err
	}
	if s.RefreshToken == "" {
		return nil, &NotSignedInError{Why: fmt.Sprintf("the access token expired at %s and the session has no refresh token",
			s.Expiry.Local().Format(time.DateTime))}
	}
	if ep, err := control.ReadEndpoint(paths.Run); err == nil {
		_, err := control.RequestRefresh(ctx, ep, tokenMargin)
		var ae *control.AnswerError
		switch {
		case err == nil:
			return loadFresh(ctx, store)
		case errors.Is(err, session.ErrNotFound):
			return nil, &NotSignedInError{Why: "the running Desklit (pid " + fmt.Sprint(ep.PID) + ") is signed out"}
		case errors.As(err, &ae):
			return nil, fmt.Errorf("the running Desklit could not refresh the session: %w", err)
		}
		// Nobody answers: a file left by a Desklit that was killed. Refresh here.
	}
	unlock, err := refreshLock(ctx, paths.Run)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Another `desklit token` may have refreshed while this one waited.
	if s, err = loadSession(ctx, store); err != nil || !expiring(s) {
		return s, err
	}
	return refreshHere(ctx, e, cfg, paths, store, s)
}

func loadSession(ctx context.Context, store session.Store) (*session.Session, error) {
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := store.Load(lctx)
	if errors.Is(err, session.ErrNotFound) {
		return nil, &NotSignedInError{Why: "no session is stored"}
	}
	if err != nil {
		return nil, fmt.Errorf("read the session: %w", err)
	}
	return s, nil
}

// loadFresh reads the session that the running instance has just refreshed and stored.
func loadFresh(ctx context.Context, store session.Store) (*session.Session, error) {
	s, err := loadSession(ctx, store)
	if err == nil && s.Expired(time.Now()) {
		return nil, errors.New("the running Desklit refreshed the session, but the keyring still holds an expired one")
	}
	return s, err
}

func expiring(s *session.Session) bool {
	return !s.Expiry.IsZero() && time.Until(s.Expiry) < tokenMargin
}

// refreshHere refreshes with the provider and stores the rotated tokens; a refused refresh
// token ends the session, as the session manager does.
func refreshHere(ctx context.Context, e *Env, cfg *config.Config, paths config.Paths, store session.Store, s *session.Session) (*session.Session, error) {
	if !issuer.Same(s.Issuer, cfg.Issuer()) || s.ClientID != cfg.ClientID {
		return nil, fmt.Errorf("the stored session was issued by %s to the client %s, not by the configured %s to %s: it is not refreshed here",
			s.Issuer, s.ClientID, cfg.Issuer(), cfg.ClientID)
	}
	stop, err := ensureDevIdP(ctx, cfg, paths)
	if err != nil {
		return nil, err
	}
	defer stop()
	ns, err := newFlow(cfg).Refresh(ctx, s)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if errors.Is(err, authflow.ErrInvalidGrant) {
		if derr := store.Delete(sctx); derr != nil && !errors.Is(derr, session.ErrNotFound) {
			fmt.Fprintf(e.Stderr, "Warning: delete the stored session: %v\n", derr)
		}
		return nil, &NotSignedInError{Why: "the provider no longer accepts the session"}
	}
	if err != nil {
		return nil, err
	}
	if err := store.Save(sctx, ns); err != nil {
		return nil, fmt.Errorf("store the refreshed session: %w", err)
	}
	return ns, nil
}

// refreshLock lets one `desklit token` refresh at a time (a file created exclusively in the run
// directory; one older than a minute was left by a process that died, and is taken over).
func refreshLock(ctx context.Context, dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("run directory: %w", err)
	}
	path := filepath.Join(dir, "token-refresh.lock")
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			f.Close()
			return func() { _ = os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if fi, err := os.Stat(path); err == nil && time.Since(fi.ModTime()) > time.Minute {
			_ = os.Remove(path)
			continue
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
