// Command browser is the system browser for `desklit login` under Wine ($BROWSER names it): it
// follows the sign-in address's redirects to Desklit's embedded dev IdP's sign-in page, signs in
// as the user and password in DESKLIT_TEST_USER and DESKLIT_TEST_PASSWORD, and follows the
// redirects back to desklit's callback. It reports each step on stderr.
package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: browser URL")
		os.Exit(2)
	}
	if err := signIn(os.Args[1], os.Getenv("DESKLIT_TEST_USER"), os.Getenv("DESKLIT_TEST_PASSWORD")); err != nil {
		fmt.Fprintln(os.Stderr, "browser:", err)
		os.Exit(1)
	}
}

func signIn(authURL, user, password string) error {
	hc := &http.Client{Timeout: 30 * time.Second}
	hc.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		fmt.Fprintln(os.Stderr, "browser: redirected to", req.URL.Scheme+"://"+req.URL.Host+req.URL.Path)
		return nil
	}
	resp, err := hc.Get(authURL)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != "/login" {
		return fmt.Errorf("no sign-in page: ended on %s (%s)", resp.Request.URL.Path, resp.Status)
	}
	form := url.Values{"id": {resp.Request.URL.Query().Get("authRequestID")}, "username": {user}, "password": {password}}
	login := resp.Request.URL.ResolveReference(&url.URL{Path: "/login"})
	req, _ := http.NewRequest(http.MethodPost, login.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = hc.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != "/callback" || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the sign-in ended on %s (%s): %.200s", resp.Request.URL.Path, resp.Status, body)
	}
	fmt.Fprintln(os.Stderr, "browser: the callback answered", resp.Status)
	return nil
}
