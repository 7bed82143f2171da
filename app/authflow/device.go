package authflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/desklit/desklit/app/session"
)

// Device-grant outcomes a caller may tell apart with errors.Is.
var (
	ErrDeviceExpired     = errors.New("the device code expired before the sign-in was approved")
	ErrDeviceDenied      = errors.New("the sign-in was denied on the verification page")
	ErrNoDeviceEndpoint  = errors.New("the provider does not offer the device authorization grant (RFC 8628): its discovery document has no device_authorization_endpoint")
	errDeviceUnsupported = "unauthorized_client"
)

// DeviceCode is what the user needs to approve a device sign-in on another machine: the page,
// the code to type there, and the page with the code filled in. It holds no secret: the device
// code itself stays inside the flow.
type DeviceCode struct {
	VerificationURI         string
	UserCode                string
	VerificationURIComplete string // empty when the provider gives none
	Expiry                  time.Time
	Interval                time.Duration // how often the token endpoint is asked
}

// DeviceLogin signs in with the device authorization grant (RFC 8628), for a machine whose
// browser cannot reach its loopback callback (SSH, remote desktop): it asks the provider for a
// user code, hands it to show, then polls the token endpoint at the provider's interval
// (x/oauth2 adds 5 s after each slow_down) until the user approves or denies it, the code
// expires or ctx ends. The ID token is verified as for any sign-in (there is no nonce in this
// grant). Storing the session is the caller's job.
func (f *Flow) DeviceLogin(ctx context.Context, show func(DeviceCode)) (*session.Session, error) {
	p, meta, release, err := f.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if meta.DeviceEndpoint == "" {
		return nil, fmt.Errorf("%w (%s)", ErrNoDeviceEndpoint, f.issuer())
	}
	conf := f.oauthConfig(p, "")
	var opts []oauth2.AuthCodeOption
	if f.cfg.Audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", f.cfg.Audience))
	}
	da, err := conf.DeviceAuth(f.clientCtx(ctx), opts...)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == errDeviceUnsupported {
			return nil, fmt.Errorf("the provider refused a device sign-in for the client %s: %s (allow the device code grant for this client)", f.cfg.ClientID, describe(err))
		}
		return nil, fmt.Errorf("start the device sign-in: %s", describe(err))
	}
	code := DeviceCode{VerificationURI: da.VerificationURI, UserCode: da.UserCode,
		VerificationURIComplete: da.VerificationURIComplete, Expiry: da.Expiry, Interval: 5 * time.Second}
	if da.Interval > 0 {
		code.Interval = time.Duration(da.Interval) * time.Second
	}
	f.log.Info("device sign-in started", "issuer", f.issuer(), "expiry", da.Expiry, "interval", code.Interval)
	show(code)
	tok, err := conf.DeviceAccessToken(f.clientCtx(ctx), da, opts...)
	if err != nil {
		err = deviceError(ctx, err)
		f.log.Warn("device sign-in failed", "err", err)
		return nil, err
	}
	s, err := f.newSession(ctx, p, tok, "")
	if err != nil {
		f.log.Warn("device sign-in failed", "err", err)
		return nil, err
	}
	f.log.Info("signed in", "sub", s.User.Sub, "expiry", s.Expiry, "grant", "device_code")
	return s, nil
}

// deviceError names why polling ended: the user's Ctrl-C (ctx), the code's expiry (x/oauth2 ends
// the poll at the expiry with its own deadline, or the provider says expired_token), a denial,
// or anything else the provider answered.
func deviceError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrCancelled, ctx.Err())
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrDeviceExpired
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		switch re.ErrorCode {
		case "expired_token":
			return ErrDeviceExpired
		case "access_denied":
			return fmt.Errorf("%w: %s", ErrDeviceDenied, describe(err))
		}
		return fmt.Errorf("%w: %s", ErrExchange, describe(err))
	}
	return fmt.Errorf("device sign-in: %w", err)
}
