package devidp

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The device authorization grant (RFC 8628) of the dev IdP: zitadel's op serves
// /device_authorization and polls this storage (op.DeviceAuthorizationStorage); the user approves
// the code on the dev IdP's own page (DevicePath, devicePage), and the token endpoint issues the
// tokens as for the other grants (deviceExchange), the ID token naming only the client.

// DevicePath is the page where the user enters the code (the verification_uri).
const DevicePath = "/device"

// DefaultDeviceInterval is how often a device may poll; DefaultDeviceLifetime how long its code lasts.
const (
	DefaultDeviceInterval = 5 * time.Second
	DefaultDeviceLifetime = 10 * time.Minute
)

var _ op.DeviceAuthorizationStorage = (*storage)(nil)

// deviceRequests are the device sign-ins in progress, in memory: by device code, and the user
// code's device code.
type deviceRequests struct {
	mu     sync.Mutex
	byCode map[string]*op.DeviceAuthorizationState
	byUser map[string]string // normalised user code -> device code
}

// normUserCode compares user codes as a person types them: case, spaces and dashes aside.
func normUserCode(c string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(c)))
}

// StoreDeviceAuthorization records a new device sign-in; expired ones are dropped on the way.
func (s *storage) StoreDeviceAuthorization(ctx context.Context, clientID, deviceCode, userCode string, expires time.Time, scopes []string) error {
	aud, _ := ctx.Value(audienceKey).(string)
	if aud == "" {
		aud = s.audience
	}
	if aud != s.audience {
		return oidc.ErrInvalidRequest().WithDescription("unknown audience")
	}
	d := &s.devices
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byCode == nil {
		d.byCode, d.byUser = map[string]*op.DeviceAuthorizationState{}, map[string]string{}
	}
	now := time.Now()
	for uc, dc := range d.byUser {
		if st := d.byCode[dc]; st == nil || now.After(st.Expires.Add(time.Minute)) {
			delete(d.byUser, uc)
			delete(d.byCode, dc)
		}
	}
	uc := normUserCode(userCode)
	if _, taken := d.byUser[uc]; taken {
		return op.ErrDuplicateUserCode
	}
	d.byUser[uc] = deviceCode
	d.byCode[deviceCode] = &op.DeviceAuthorizationState{ClientID: clientID, Audience: []string{aud},
		Scopes: scopes, Expires: expires}
	return nil
}

// GetDeviceAuthorizatonState is what the token endpoint polls (the name is zitadel's).
func (s *storage) GetDeviceAuthorizatonState(_ context.Context, clientID, deviceCode string) (*op.DeviceAuthorizationState, error) {
	d := &s.devices
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.byCode[deviceCode]
	if !ok || st.ClientID != clientID {
		return nil, errors.New("unknown or used device code")
	}
	cp := *st
	return &cp, nil
}

// takeDevice removes an approved device sign-in as its tokens are issued, so that a device code
// is redeemed once however many polls race for it.
func (s *storage) takeDevice(deviceCode string) bool {
	d := &s.devices
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.byCode[deviceCode]
	if !ok || !st.Done {
		return false
	}
	delete(d.byCode, deviceCode)
	for uc, dc := range d.byUser {
		if dc == deviceCode {
			delete(d.byUser, uc)
		}
	}
	return true
}

// decideDevice approves (with the demo user's credentials) or denies the sign-in of a user code.
func (s *storage) decideDevice(userCode, username, password string, approve bool) error {
	var u *User
	if approve {
		var ok bool
		if u, ok = findUser(s.users, username, password); !ok {
			return errWrongPassword
		}
	}
	d := &s.devices
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.byCode[d.byUser[normUserCode(userCode)]]
	switch {
	case st == nil || time.Now().After(st.Expires):
		return errCodeUnknown
	case st.Done || st.Denied:
		return errCodeUsed
	case !approve:
		st.Denied = true
		return nil
	}
	st.Done, st.Subject, st.AuthTime, st.AMR = true, u.Sub, time.Now(), []string{"pwd"}
	st.Scopes = grantScopes(st.Scopes, u.Permissions)
	return nil
}

// deviceExchange is zitadel's device_code grant with tokenResponse, so that the ID token names
// only the client, as for the other grants, and the device code is redeemed once.
func deviceExchange(w http.ResponseWriter, r *http.Request, p *op.Provider, st *storage) {
	clientID, _, err := op.ClientIDFromRequest(r, p)
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	req, err := op.ParseDeviceAccessTokenRequest(r, p)
	if err != nil {
		op.RequestError(w, r, oidc.ErrInvalidRequest().WithParent(err), nil)
		return
	}
	state, err := op.CheckDeviceAuthorizationState(r.Context(), clientID, req.DeviceCode, p)
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	client, err := p.Storage().GetClientByClientID(r.Context(), clientID)
	if err != nil {
		op.RequestError(w, r, oidc.ErrInvalidClient().WithParent(err), nil)
		return
	}
	if !st.takeDevice(req.DeviceCode) {
		op.RequestError(w, r, oidc.ErrInvalidGrant().WithDescription("device code already used"), nil)
		return
	}
	resp, err := tokenResponse(r.Context(), state, client, p, "", "")
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	writeTokens(w, resp)
}
