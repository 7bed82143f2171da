package authflow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/devidp"
	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/session"
	"github.com/desklit/desklit/app/supervisor"
)

func TestCallbackAcceptsOneRequest(t *testing.T) {
	cb := newCallbackServer(80, "y")
	go func() {
		c := <-cb.results
		c.reply <- outcome{session: &session.Session{View: session.View{User: session.User{Name: "Ada"}}}}
	}()
	for i, want := range []int{http.StatusOK, http.StatusConflict} {
		rr := httptest.NewRecorder()
		if i == 0 { // a wrong state before the real one is turned away and does not count
			cb.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:80/callback?code=x&state=z", nil))
			if rr.Code != http.StatusBadRequest {
				t.Errorf("wrong state: status %d, want 400", rr.Code)
			}
			rr = httptest.NewRecorder()
		}
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:80/callback?code=x&state=y", nil)
		cb.ServeHTTP(rr, req)
		if rr.Code != want {
			t.Errorf("request %d: status %d, want %d", i+1, rr.Code, want)
		}
		if i == 0 && !strings.Contains(rr.Body.String(), "Signed in to Desklit as Ada") {
			t.Errorf("completion page: %s", rr.Body)
		}
	}
	rr := httptest.NewRecorder()
	cb.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, "http://evil.example/callback", nil))
	if rr.Code != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: %d", rr.Code)
	}
}

// A taken callback port names the program that holds it, as the services' ports do.
func TestCallbackPortInUseNamesTheHolder(t *testing.T) {
	testutil.SkipUnderWine(t, "GetExtendedTcpTable names no owner of a listening port")
	log, _ := newLogger(t)
	idp := startIdP(t, log, devidp.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	opened := false
	o := OpenerFunc(func(context.Context, string) (<-chan error, error) { opened = true; return nil, nil })
	_, err = flowFor(idp, Config{Logger: log, CallbackPort: port}).Login(context.Background(), o)
	var pe *supervisor.PortInUseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *supervisor.PortInUseError", err)
	}
	if pe.PID != int32(os.Getpid()) || pe.Port != port || pe.Service != "sign-in callback" {
		t.Errorf("holder %+v, want this process (pid %d) on port %d", pe, os.Getpid(), port)
	}
	if want := fmt.Sprintf("port %d (sign-in callback) is in use by", port); !strings.Contains(err.Error(), want) {
		t.Errorf("err %q lacks %q", err, want)
	}
	if opened {
		t.Error("the sign-in page was opened without a callback listener")
	}
}
