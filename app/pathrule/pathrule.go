// Package pathrule is the path patterns of desklit.toml's [services.*] public and scopes: a path
// that starts with "/", in which "*", "?" and "[...]" match within one segment (path.Match), and
// a final "/*" matches everything below its prefix, at any depth ("/api/admin/*" matches
// "/api/admin/users/7"). The project checks the patterns when it reads desklit.toml; the guard
// in front of a service matches request paths with the same rules.
package pathrule

import (
	"errors"
	"path"
	"strings"
)

// Check reports why pattern is not a valid path pattern, or nil.
func Check(pattern string) error {
	if !strings.HasPrefix(pattern, "/") {
		return errors.New("must start with /")
	}
	if strings.Contains(pattern, "#") {
		return errors.New("must be a path, without a query or fragment")
	}
	if strings.ContainsFunc(pattern, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New("must not contain spaces or control characters")
	}
	if _, err := path.Match(strings.TrimSuffix(pattern, "/*"), ""); err != nil {
		return errors.New("is not a valid pattern (an unclosed [ or a trailing \\)")
	}
	return nil
}

// Match reports whether the request path p matches pattern (a pattern Check accepted). p is
// cleaned first, so "/api/admin/../ping" is "/api/ping" and "//api/admin" is "/api/admin".
func Match(pattern, p string) bool {
	p = Clean(p)
	if prefix, ok := strings.CutSuffix(pattern, "/*"); ok {
		if prefix == "" {
			return true
		}
		if ok, _ := path.Match(prefix, p); ok {
			return true
		}
		// the prefix may itself hold wildcards: match it against as many leading segments
		n := strings.Count(prefix, "/")
		parts := strings.SplitN(p, "/", n+2)
		if len(parts) < n+2 {
			return false
		}
		ok, _ := path.Match(prefix, strings.Join(parts[:n+1], "/"))
		return ok
	}
	ok, _ := path.Match(pattern, p)
	return ok
}

// Clean is the path as the rules see it: cleaned, absolute, with a trailing slash kept
// ("/api/" stays "/api/", as a service's router may tell it from "/api").
func Clean(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}
